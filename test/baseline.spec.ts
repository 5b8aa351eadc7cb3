import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { BASELINE_DIR, fixturePayloads, planWithoutCode } from "./support/baseline";

function baseline(name: string): unknown {
    return JSON.parse(fs.readFileSync(path.join(BASELINE_DIR, `${name}.json`), "utf8"));
}

interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    inputs: unknown;
}

/**
 * The cloud resources of a plan and their inputs, by type and name. URNs, parents and order are
 * left out: the split into child components changed them on purpose, and test/urns.spec.ts proves
 * every former URN is aliased. Component resources have no inputs to compare.
 */
function cloudResources(plan: unknown): Record<string, unknown> {
    const resources = (plan as { resources: PlannedResource[] }).resources.filter((r) => !r.type.startsWith("console-login-alerts:"));
    return Object.fromEntries(resources.map((r) => [`${r.type}::${r.name}`, r.inputs]));
}

// The baselines were recorded before the program, handler and tools were split into the rooms they
// have now; a change that alters what is deployed or posted must say so by recording them anew.
// Recorded anew since, on purpose: the function learned the operators' topic (an environment
// variable and sns:Publish on that topic); event data in messages is marked verbatim, so Slack
// shows it literally; a sweep posts critical rules first; the fast path adds its resources (an
// EventBridge rule and target in every enabled region, a central bus, its rule and role); and each
// sign-in says how long after the event it was posted, and by which path (the delay itself is
// normalised, since it depends on the clock). The plans were recorded anew once more when the stack
// gained the trail-tampering and sso-signin-without-mfa rules (their filters and alarms, and the
// fast path's branch for the tampering calls), the delivery heartbeat alarm, the operators'
// dashboard (linked from the operators' alarms) and HEARTBEAT_ALARM_NAME; and with UpdateItem for
// the summary's tallies. The payloads were recorded anew when each sign-in gained its first-seen
// line ("No sign-in history yet for …" on a principal's first) and the new fixtures joined them; the
// plans and payloads once more when the fast path took IAM Identity Center's UserAuthentication, and
// its delivery note became "after sign-in" like every other sign-in's. The plans once more when the
// stack became tamper-evident: the function-tampering and delivery-tampering rules (filters and
// alarms) and trail-tampering's pattern from the watch list, the fast path's branches requiring an
// aws. source and naming every watched call, the alarm topics denying every other publisher, and
// the function reading its trail's status (TRAIL_ARN, cloudtrail:GetTrailStatus). The plans once
// more when the fast path's regional rules and targets moved from one aws.Provider per region to
// the default provider with a `region` input (17 providers fewer), and the example stacks moved to
// examples/ (the plan's note says it planned an example); and once more when the fast path's patterns
// came to be derived from the rules themselves, two EventBridge rules a region in place of one. The
// plans and payloads once more when root-activity took root's API calls made through the console
// (invokedBy signin.amazonaws.com), an event several rules match was posted once under the most
// urgent of them naming the others, and AWS Sign-In's other events read as steps of signing in. The
// plans once more when each rule's lease came to hold its cursor, given up by an UpdateItem: the
// function's policy no longer allows dynamodb:DeleteItem.
// The plans once more when the function's environment gained BOT_TOKEN_PARAMETER_NAME and
// SIGNING_SECRET_PARAMETER_NAME for "Was this you?", empty in both examples, which ask nobody.
describe("what the project deploys and posts, against the recorded baseline", function () {
    for (const stack of ["dev", "prod"]) {
        it(`plans every resource of ${stack} with the same inputs (the function's code text aside)`, async function () {
            assert.deepStrictEqual(cloudResources(await planWithoutCode(stack)), cloudResources(baseline(`plan-${stack}`)));
        });
    }

    it("posts the same Slack payloads for every CloudTrail fixture", async function () {
        assert.deepStrictEqual(await fixturePayloads(), baseline("slack-payloads"));
    });
});
