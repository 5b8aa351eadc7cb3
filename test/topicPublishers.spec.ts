/**
 * Who may publish to the stack's topics, by the topic policies the program plans, evaluated with
 * @cloud-copilot/iam-simulate. A principal of the account allowed sns:Publish by its own identity
 * policy must not be able to forge an alarm notification (say, the delivery heartbeat's OK): the
 * function would post it to Slack as "CloudTrail delivery has resumed" while the trail is dead.
 *
 * The simulator fills in no request context by itself, so each request carries what AWS puts there
 * (IAM User Guide, "AWS global condition context keys"): aws:PrincipalArn and aws:PrincipalAccount
 * for a signed request; aws:SourceArn, aws:SourceAccount and aws:PrincipalServiceName for a
 * service principal acting for a resource of the account, as CloudWatch does for an alarm.
 */
import { strict as assert } from "assert";
import { MOCK_ACCOUNT, MOCK_REGION, type OfflineRun, type RecordedResource } from "../tools/offlineEngine";
import { documentOf, evaluate, type PolicyDocument, type Request } from "./support/iamPlan";
import { byName, defaultProgram, ofType } from "./support/program";

const ACCOUNT = MOCK_ACCOUNT;
const OTHER_ACCOUNT = "444455556666";
const CLOUDWATCH = "cloudwatch.amazonaws.com";

/** An identity policy that grants everything: an administrator, or the deployer. */
const ALLOW_ALL: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
/** What a principal needs in its own policy to publish to any topic it is not kept from. */
const MAY_PUBLISH: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sns:Publish", Resource: "*" }] };

interface Principal {
    /** The caller's ARN: a role session, or an account's root user. */
    arn: string;
    /** The ARN aws:PrincipalArn carries: a role session's role. */
    principalArn: string;
    identity: PolicyDocument[];
}

function roleSession(account: string, role: string, identity: PolicyDocument[]): Principal {
    return {
        arn: `arn:aws:sts::${account}:assumed-role/${role}/session`,
        principalArn: `arn:aws:iam::${account}:role/${role}`,
        identity,
    };
}

const intruder = roleSession(ACCOUNT, "ops-automation", [MAY_PUBLISH]);
const outsider = roleSession(OTHER_ACCOUNT, "ops-automation", [MAY_PUBLISH]);
const deployer = roleSession(ACCOUNT, "deployer", [ALLOW_ALL]);
// The root user is allowed every action by AWS itself; an allow-all identity policy stands in for that.
const root: Principal = { arn: `arn:aws:iam::${ACCOUNT}:root`, principalArn: `arn:aws:iam::${ACCOUNT}:root`, identity: [ALLOW_ALL] };

/** A topic of the plan: its ARN, the policy its TopicPolicy sets and the alarms that notify it. */
interface PlannedTopic {
    arn: string;
    policy: PolicyDocument;
    alarmArns: string[];
}

function plannedTopic(run: OfflineRun, topicName: string): PlannedTopic {
    const arn = String(byName(run, topicName).state["arn"]);
    const notifies = (a: RecordedResource) =>
        [...((a.inputs["alarmActions"] as string[]) ?? []), ...((a.inputs["okActions"] as string[]) ?? [])].includes(arn);
    const alarmArns = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm")
        .filter(notifies)
        .map((a) => String(a.state["arn"]));
    assert.ok(alarmArns.length > 0, `no alarm notifies ${topicName}`);
    return { arn, policy: documentOf(byName(run, `${topicName}-policy`)), alarmArns };
}

/** CloudWatch notifying the topic for the alarm given. */
function fromCloudWatch(topic: PlannedTopic, alarmArn: string): Request {
    return {
        principal: CLOUDWATCH,
        action: "sns:Publish",
        resource: topic.arn,
        resourceAccount: ACCOUNT,
        resourcePolicy: topic.policy,
        context: {
            "aws:SourceArn": alarmArn,
            "aws:SourceAccount": alarmArn.split(":")[4]!,
            "aws:PrincipalServiceName": CLOUDWATCH,
        },
    };
}

function fromPrincipal(topic: PlannedTopic, who: Principal, action: string): Request {
    return {
        principal: who.arn,
        action,
        resource: topic.arn,
        resourceAccount: ACCOUNT,
        resourcePolicy: topic.policy,
        identityPolicies: who.identity,
        context: { "aws:PrincipalArn": who.principalArn, "aws:PrincipalAccount": who.arn.split(":")[4]! },
    };
}

type Expected = "Allowed" | "Denied";

/** A request and its decision in one line, so a failure lists every wrong one. */
function label(decision: Expected, r: Request): string {
    const who = r.principal === CLOUDWATCH ? `${CLOUDWATCH} for ${String(r.context?.["aws:SourceArn"])}` : r.principal;
    return `${decision}: ${who} ${r.action}`;
}

async function decisions(requests: Request[]): Promise<string[]> {
    const out: string[] = [];
    for (const r of requests) {
        const { decision } = await evaluate(r);
        out.push(label(decision === "Allowed" ? "Allowed" : "Denied", r));
    }
    return out;
}

/** The function's role session, with the role's inline policies. */
function functionPrincipal(run: OfflineRun): Principal {
    const [fn, ...others] = ofType(run, "aws:lambda/function:Function");
    assert.ok(fn && others.length === 0, "expected one function");
    const roleArn = String(fn.inputs["role"]);
    const role = ofType(run, "aws:iam/role:Role").find((r) => r.state["arn"] === roleArn);
    assert.ok(role, `no role ${roleArn}`);
    const identity = ofType(run, "aws:iam/rolePolicy:RolePolicy")
        .filter((p) => p.inputs["role"] === role.state["name"] || p.inputs["role"] === role.id)
        .map((p) => documentOf(p));
    return {
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${String(role.state["name"])}/${String(fn.state["name"])}`,
        principalArn: roleArn,
        identity,
    };
}

describe("who may publish to the stack's topics, evaluated as AWS evaluates them", function () {
    let run: OfflineRun;
    let alarms: PlannedTopic;

    before(async function () {
        run = await defaultProgram();
        alarms = plannedTopic(run, "login-alerts-alarms");
    });

    it("lets CloudWatch alone publish to the alarm topic, for this stack's alarms, so no principal of the account can forge a notification", async function () {
        const heartbeat = `arn:aws:cloudwatch:${MOCK_REGION}:${ACCOUNT}:alarm:login-alerts-dev-delivery-heartbeat`;
        assert.ok(
            alarms.alarmArns.includes(heartbeat),
            `the heartbeat alarm does not notify the alarm topic: ${alarms.alarmArns.join(", ")}`,
        );
        const allowed = alarms.alarmArns.map((a) => fromCloudWatch(alarms, a));
        const denied = [
            fromPrincipal(alarms, intruder, "sns:Publish"),
            fromPrincipal(alarms, outsider, "sns:Publish"),
            fromPrincipal(alarms, deployer, "sns:Publish"),
            fromPrincipal(alarms, root, "sns:Publish"),
            fromCloudWatch(alarms, heartbeat.replace(`:${ACCOUNT}:`, `:${OTHER_ACCOUNT}:`)),
            fromCloudWatch(alarms, `arn:aws:cloudwatch:${MOCK_REGION}:${ACCOUNT}:alarm:not-in-this-stack`),
        ];
        assert.deepStrictEqual(await decisions([...allowed, ...denied]), [
            ...allowed.map((r) => label("Allowed", r)),
            ...denied.map((r) => label("Denied", r)),
        ]);
    });

    it("lets CloudWatch, for the operators' alarms, and the function alone publish to the operators' topic", async function () {
        const operators = plannedTopic(run, "login-alerts-operators");
        const fn = functionPrincipal(run);
        const allowed = [...operators.alarmArns.map((a) => fromCloudWatch(operators, a)), fromPrincipal(operators, fn, "sns:Publish")];
        const denied = [
            fromPrincipal(operators, intruder, "sns:Publish"),
            fromPrincipal(operators, outsider, "sns:Publish"),
            fromPrincipal(operators, deployer, "sns:Publish"),
            fromPrincipal(alarms, fn, "sns:Publish"),
            ...alarms.alarmArns.filter((a) => !operators.alarmArns.includes(a)).map((a) => fromCloudWatch(operators, a)),
        ];
        assert.deepStrictEqual(await decisions([...allowed, ...denied]), [
            ...allowed.map((r) => label("Allowed", r)),
            ...denied.map((r) => label("Denied", r)),
        ]);
    });

    it("leaves the alarm topic's attributes to the deployer and the account's root user", async function () {
        const requests = [deployer, root].flatMap((who) =>
            ["sns:GetTopicAttributes", "sns:SetTopicAttributes"].map((action) => fromPrincipal(alarms, who, action)),
        );
        assert.deepStrictEqual(
            await decisions(requests),
            requests.map((r) => label("Allowed", r)),
        );
    });
});
