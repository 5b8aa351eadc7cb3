/**
 * The deployed function of an organization stack (bundled `__index.js` in a child process,
 * against the local AWS and Slack): a member account's sign-in is posted with the account's name
 * from AWS Organizations, an outside account's is refused with the reason, a failure to ask
 * AWS Organizations fails the invocation so Lambda retries it, and the daily summary counts a
 * principal per account, naming each account as the sign-ins do.
 */
import * as assert from "assert";
import { invokeInChild, type DeployedFunction } from "../tools/local/deployedFunction";
import type { LocalAws } from "../tools/local/localAws";
import type { LocalSlack } from "../tools/local/localSlack";
import { fixture } from "../tools/fixtures";
import { MOCK_ORGANIZATION } from "../tools/offlineEngine";
import { tallyAsLastHour, useDeployedRig } from "./support/deployedRig";
import { runWith } from "./support/program";

const MEMBER = "444455556666";
const OTHER_MEMBER = "777788889999";
const OUTSIDER = "999988887777";
const HOUR = 3600 * 1000;
const DELIVERED = fixture<{ detail: Record<string, unknown> & { userIdentity: Record<string, unknown> } }>("eventbridge_console-signin");

/** The console sign-in fixture as EventBridge brings it from another account of the organization. */
function signInFrom(account: string, eventId: string): Record<string, unknown> {
    const detail = {
        ...DELIVERED.detail,
        eventID: eventId,
        recipientAccountId: account,
        userIdentity: { ...DELIVERED.detail.userIdentity, accountId: account },
    };
    return { ...DELIVERED, id: `envelope-${eventId}`, account, detail };
}

/** The same sign-in by the root user of `account`, as CloudTrail records root (userIdentity type Root, the account's ARN). */
function rootSignInFrom(account: string, eventId: string): Record<string, unknown> {
    const envelope = signInFrom(account, eventId) as { detail: Record<string, unknown> };
    const userIdentity = { type: "Root", principalId: account, arn: `arn:aws:iam::${account}:root`, accountId: account, accessKeyId: "" };
    return { ...envelope, detail: { ...envelope.detail, userIdentity } };
}

function accountFieldsOf(payloads: unknown[]): string[] {
    return JSON.stringify(payloads).match(/\d{12} \([^)]*\)/g) ?? [];
}

describe("the deployed function of an organization stack", function () {
    const rig = useDeployedRig(
        () =>
            runWith(
                {
                    organizationTrail: "true",
                    organization: JSON.stringify({ id: MOCK_ORGANIZATION, units: ["r-ab12"], regions: ["us-east-1"] }),
                    summary: "daily",
                },
                "org",
            ),
        { MIN_POST_INTERVAL_MS: "0" },
    );
    let fn: DeployedFunction;
    let slack: LocalSlack;
    let aws: LocalAws;
    let env: Record<string, string>;

    before(function () {
        ({ fn, slack, aws, env } = rig);
    });

    beforeEach(function () {
        aws.accounts.clear();
        aws.accounts.set(MEMBER, { Name: "payments-prod" });
    });

    it("posts a member account's sign-in with the account's name, asking AWS Organizations once per container", async function () {
        const run = await invokeInChild(
            fn,
            [signInFrom(MEMBER, "11111111-1111-4111-8111-111111111111"), signInFrom(MEMBER, "22222222-2222-4222-8222-222222222222")],
            {
                env,
            },
        );
        assert.ok(
            run.results.every((r) => r.ok),
            run.stderr,
        );
        assert.deepStrictEqual(
            run.results.map((r) => (r.value as { posted: number }).posted),
            [1, 1],
        );
        assert.deepStrictEqual(accountFieldsOf(slack.accepted), ["444455556666 (payments-prod)", "444455556666 (payments-prod)"]);
        assert.deepStrictEqual(
            aws.callsOf("DescribeAccount").map((c) => c.body),
            [{ AccountId: MEMBER }],
        );
    });

    it("refuses a sign-in from an account outside the organization, saying why, and posts nothing", async function () {
        const run = await invokeInChild(fn, [signInFrom(OUTSIDER, "33333333-3333-4333-8333-333333333333")], { env });
        assert.ok(run.results[0]?.ok, run.stderr);
        assert.deepStrictEqual((run.results[0]!.value as { skipped: string[] }).skipped, [
            `EventBridge event envelope-33333333-3333-4333-8333-333333333333: refused, it comes from account "${OUTSIDER}", which is neither this stack's nor a member of organization ${MOCK_ORGANIZATION}`,
        ]);
        assert.deepStrictEqual(slack.requests, []);
    });

    it("posts the stack's own account's sign-in whatever AWS Organizations says of it, asking only for its name", async function () {
        const run = await invokeInChild(fn, [signInFrom("111122223333", "44444444-4444-4444-8444-444444444444")], { env });
        assert.ok(run.results[0]?.ok, run.stderr);
        assert.strictEqual((run.results[0]!.value as { posted: number }).posted, 1);
        // The management account is no "member" to DescribeAccount here: the sign-in shows the id alone.
        assert.deepStrictEqual(accountFieldsOf(slack.accepted), []);
        assert.ok(JSON.stringify(slack.accepted).includes("111122223333"));
        assert.deepStrictEqual(
            aws.callsOf("DescribeAccount").map((c) => [c.body, c.answeredWith]),
            [[{ AccountId: "111122223333" }, 400]],
        );
    });

    it("fails the invocation when AWS Organizations cannot be asked, so Lambda retries the member's sign-in", async function () {
        aws.throttle("DescribeAccount", 5, "TooManyRequestsException");
        const run = await invokeInChild(fn, [signInFrom(MEMBER, "55555555-5555-4555-8555-555555555555")], { env });
        assert.strictEqual(run.results[0]?.ok, false);
        assert.deepStrictEqual(run.results[0]?.error, { name: "TooManyRequestsException", message: "Rate exceeded" });
        assert.deepStrictEqual(slack.requests, []);
    });

    it("posts a daily summary in which root of two member accounts is two lines, each account named by AWS Organizations", async function () {
        aws.accounts.set(OTHER_MEMBER, { Name: "data-lake" });
        const signIns = [
            rootSignInFrom(MEMBER, "66666666-6666-4666-8666-666666666666"),
            rootSignInFrom(MEMBER, "77777777-7777-4777-8777-777777777777"),
            rootSignInFrom(OTHER_MEMBER, "88888888-8888-4888-8888-888888888888"),
        ];
        const posting = await invokeInChild(fn, signIns, { env });
        assert.deepStrictEqual(
            posting.results.map((r) => r.ok && (r.value as { posted: number }).posted),
            [1, 1, 1],
            posting.stderr,
        );
        await tallyAsLastHour(aws);
        const to = Math.floor(Date.now() / HOUR) * HOUR;
        const summary = await invokeInChild(fn, [{ loginAlertsSummary: "daily", scheduledTime: new Date(to).toISOString() }], { env });
        assert.deepStrictEqual(
            summary.results.map((r) => r.ok && (r.value as { messages: number }).messages),
            [1],
            summary.stderr,
        );

        const blocks = (slack.accepted.at(-1) as { blocks: Array<{ text?: { text: string } }> }).blocks;
        assert.strictEqual(
            blocks[3]?.text?.text,
            "*Top principals*\n• root in 444455556666 (payments-prod): 2\n• root in 777788889999 (data-lake): 1",
        );
        // Each process is a new container: the summary's asks its own, once per account.
        assert.deepStrictEqual(
            aws.callsOf("DescribeAccount").map((c) => c.body),
            [{ AccountId: MEMBER }, { AccountId: OTHER_MEMBER }, { AccountId: MEMBER }, { AccountId: OTHER_MEMBER }],
        );
    });
});
