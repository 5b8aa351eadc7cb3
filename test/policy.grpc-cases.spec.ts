/**
 * What the pack must catch on other teams' stacks, through the engine's gRPC path: each case is
 * sent as a first preview (ARNs unknown, references only in property dependencies) and as an update
 * (ARNs known), Analyze for every resource's inputs and AnalyzeStack for the outputs.
 */
import { strict as assert } from "assert";
import {
    ACCOUNT,
    ALARM_ARN,
    FUNCTION_ARN,
    REGION,
    TOPIC_ARN,
    allOf,
    asFirstPreview,
    policyDocument,
    publishForAlarms,
    replace,
    resource,
    signInStack,
    trustCloudTrailFor,
    withProps,
    writeStreams,
    type EngineResource,
} from "./support/policyHarness";
import { Struct, analyzer, shown, startPolicyPack, type Diagnostic, type PolicyPackProcess } from "./support/policyPackProcess";

type Found = [policy: string, level: string, urn: string, message: string];

function found(diagnostics: Diagnostic[]): Found[] {
    return diagnostics.map((d) => [d.policy, d.enforcementLevel, d.urn, d.message]);
}

function expect(policy: string, level: string, r: EngineResource, message: string): Found {
    return [policy, level, r.urn, shown(policy, message)];
}

const s = signInStack();
const OUTSIDE_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:org-trail-logs`;
const lambdaTrust = policyDocument({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" });

describe("the policy pack over gRPC: what it catches, in a first preview and an update", function () {
    let pack: PolicyPackProcess;
    /** Every resource through Analyze and the stack through AnalyzeStack, as a first preview and as an update. */
    const both = async (resources: EngineResource[]) => ({
        preview: found(await pack.analyzeAll(asFirstPreview(resources))),
        update: found(await pack.analyzeAll(resources)),
    });

    before(async function () {
        this.timeout(120_000);
        pack = await startPolicyPack();
    });

    after(() => pack?.close());

    it("finds nothing wrong with the well-built stack", async function () {
        assert.deepEqual(await both(allOf(s)), { preview: [], update: [] });
    });

    it("stops a trail whose log group is outside the stack when its role trusts Lambda instead of CloudTrail", async function () {
        const trail = withProps(
            { ...s.trail, propertyDependencies: { cloudWatchLogsRoleArn: [s.role.urn] }, dependencies: [s.role.urn] },
            { cloudWatchLogsGroupArn: `${OUTSIDE_GROUP_ARN}:*` },
        );
        const role = withProps(s.role, { assumeRolePolicy: lambdaTrust });
        const rolePolicy = withProps(
            { ...s.rolePolicy, propertyDependencies: { role: [s.role.urn] } },
            {
                policy: policyDocument({
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: `${OUTSIDE_GROUP_ARN}:log-stream:*`,
                }),
            },
        );
        const stack = [role, rolePolicy, trail];
        const message =
            'Role "trail-logs-role" delivers trail "trail" to CloudWatch Logs, but its assumeRolePolicy does not let cloudtrail.amazonaws.com assume it; ' +
            'add an Allow statement for sts:AssumeRole with the principal { Service: "cloudtrail.amazonaws.com" }.';
        const expected = [expect("trail-logs-to-cloudwatch", "mandatory", s.role, message)];
        assert.deepEqual(await both(stack), { preview: expected, update: expected });
    });

    it("stops a trail role whose trust policy lets any principal assume it", async function () {
        const role = withProps(s.role, {
            assumeRolePolicy: policyDocument({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }),
        });
        const message =
            'Role "trail-logs-role" delivers trail "trail" to CloudWatch Logs, but its assumeRolePolicy lets any principal ("*") assume it, so anyone in any ' +
            'AWS account can write events into the trail\'s log group; name only the principal { Service: "cloudtrail.amazonaws.com" }, with an aws:SourceArn ' +
            "condition on the trail's ARN.";
        const expected = [expect("trail-logs-to-cloudwatch", "mandatory", s.role, message)];
        assert.deepEqual(await both(replace(allOf(s), role)), { preview: expected, update: expected });
    });

    it("stops a trail role whose aws:SourceArn condition names another trail", async function () {
        const role = withProps(s.role, {
            assumeRolePolicy: trustCloudTrailFor(`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/security-audit`),
        });
        const message =
            'Role "trail-logs-role" delivers trail "trail" to CloudWatch Logs, but its assumeRolePolicy lets cloudtrail.amazonaws.com assume it only for another ' +
            "trail (its aws:SourceArn or aws:SourceAccount condition does not match this trail), so CloudTrail cannot deliver; set the condition to this trail's ARN.";
        const expected = [expect("trail-logs-to-cloudwatch", "mandatory", s.role, message)];
        assert.deepEqual(await both(replace(allOf(s), role)), { preview: expected, update: expected });
    });

    it("stops a trail role that may PutLogEvents but not CreateLogStream, once the policy document exists", async function () {
        const rolePolicy = withProps(s.rolePolicy, { policy: writeStreams(["logs:PutLogEvents"]) });
        const message =
            'Role "trail-logs-role" delivers trail "trail" to log group "trail-logs", but none of its policies allows logs:CreateLogStream on that group; ' +
            'add a role policy allowing logs:CreateLogStream and logs:PutLogEvents on the group\'s ARN followed by ":log-stream:*".';
        // In a first preview the document is computed from the group's ARN, so there is nothing to judge yet.
        assert.deepEqual(await both(replace(allOf(s), rolePolicy)), {
            preview: [],
            update: [expect("trail-logs-to-cloudwatch", "mandatory", s.role, message)],
        });
    });

    it("warns about a sign-in filter on a log group the trail does not write to, and an alarm on a metric no filter publishes", async function () {
        const filter = { ...withProps(s.filter, { logGroupName: "app-logs" }), propertyDependencies: {}, dependencies: [] };
        const alarm = withProps(s.alarm, { metricName: "console-signins" });
        const expected = [
            expect(
                "sign-in-alerts-can-fire",
                "advisory",
                filter,
                'Metric filter "signin-filter" looks for console sign-ins in log group "app-logs", which no trail of the stack delivers to, so it never matches; ' +
                    "set its logGroupName to the log group named in the trail's cloudWatchLogsGroupArn.",
            ),
            expect(
                "sign-in-alerts-can-fire",
                "advisory",
                alarm,
                'Alarm "signin-alarm" watches metric "console-signins" in namespace "ConsoleLoginAlerts", which no metric filter of the stack publishes, so it never fires; ' +
                    "set metricName and namespace to those of the filter's metricTransformation.",
            ),
        ];
        assert.deepEqual(await both(replace(replace(allOf(s), filter), alarm)), { preview: expected, update: expected });
    });

    it("stops a topic policy that does not let CloudWatch publish, in both runs when it is hard-coded", async function () {
        const accountOnly = policyDocument({
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: "sns:Publish",
            Resource: TOPIC_ARN,
        });
        const topicPolicy = { ...withProps(s.topicPolicy, { policy: accountOnly }), propertyDependencies: { arn: [s.topic.urn] } };
        const message =
            'The topic policy of "alarms" does not let cloudwatch.amazonaws.com publish to it, so every notification of alarm "signin-alarm" is dropped; ' +
            "add a statement allowing the cloudwatch.amazonaws.com service principal sns:Publish on the topic, with an aws:SourceArn condition on the alarms' ARNs.";
        const expected = [expect("alarm-topic-usable-by-cloudwatch", "mandatory", s.topicPolicy, message)];
        assert.deepEqual(await both(replace(allOf(s), topicPolicy)), { preview: expected, update: expected });
    });

    it("stops a topic policy that lets CloudWatch publish only for another alarm, once the ARNs are known", async function () {
        const other = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:billing-alarm`;
        const topicPolicy = withProps(s.topicPolicy, { policy: publishForAlarms([other]) });
        const message =
            'The topic policy of "alarms" lets cloudwatch.amazonaws.com publish only for other alarms (its aws:SourceArn or aws:SourceAccount condition ' +
            'does not match alarm "signin-alarm"), so every notification of that alarm is dropped; add the alarm\'s ARN to the condition.';
        assert.deepEqual(await both(replace(allOf(s), topicPolicy)), {
            preview: [],
            update: [expect("alarm-topic-usable-by-cloudwatch", "mandatory", s.topicPolicy, message)],
        });
    });

    it("stops an alarm topic encrypted with alias/aws/sns", async function () {
        const topic = withProps(s.topic, { kmsMasterKeyId: "alias/aws/sns" });
        const message =
            'Topic "alarms" receives CloudWatch alarm notifications but is encrypted with the AWS managed key alias/aws/sns, whose key policy does not let ' +
            "CloudWatch use it, so every notification is dropped; encrypt the topic with a customer managed KMS key whose key policy allows " +
            "cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*, or remove kmsMasterKeyId.";
        const expected = [expect("alarm-topic-usable-by-cloudwatch", "mandatory", s.topic, message)];
        assert.deepEqual(await both(replace(allOf(s), topic)), { preview: expected, update: expected });
    });

    it("warns about a function subscribed to an alarm topic with no lambda.Permission for SNS", async function () {
        const stack = allOf(s).filter((r) => r !== s.permission);
        const message =
            'Function "alerts" is subscribed to alarm topic "alarms", but no aws.lambda.Permission lets sns.amazonaws.com invoke it for that topic, so SNS cannot ' +
            'deliver a single alert; add an aws.lambda.Permission for lambda:InvokeFunction with principal "sns.amazonaws.com" and sourceArn the topic\'s ARN.';
        const expected = [expect("alert-lambda-invocable", "advisory", s.fn, message)];
        assert.deepEqual(await both(stack), { preview: expected, update: expected });
    });

    it("warns about an alarm invoking a function directly with no permission for CloudWatch and no failure destination", async function () {
        const alarm = withProps(
            { ...s.alarm, propertyDependencies: { alarmActions: [s.fn.urn] }, dependencies: [s.fn.urn] },
            { alarmActions: [FUNCTION_ARN] },
        );
        const stack = [s.logGroup, s.role, s.rolePolicy, s.trail, s.filter, alarm, s.fn];
        const expected = [
            expect(
                "alert-lambda-has-failure-destination",
                "advisory",
                s.fn,
                'Function "alerts" is invoked by alarm "signin-alarm" but has neither an on-failure destination nor a dead-letter queue, so an alert that still ' +
                    "fails after Lambda's retries is lost without a trace; add an aws.lambda.FunctionEventInvokeConfig with destinationConfig.onFailure.destination, " +
                    "or set deadLetterConfig.targetArn.",
            ),
            expect(
                "alert-lambda-invocable",
                "advisory",
                s.fn,
                'Function "alerts" is an action of alarm "signin-alarm", but no aws.lambda.Permission lets lambda.alarms.cloudwatch.amazonaws.com invoke it for that ' +
                    'alarm, so the alarm\'s action fails every time; add an aws.lambda.Permission for lambda:InvokeFunction with principal "lambda.alarms.cloudwatch.amazonaws.com" ' +
                    "and sourceArn the alarm's ARN.",
            ),
        ];
        assert.deepEqual(await both(stack), { preview: expected, update: expected });
    });

    it("passes an alarm that invokes a function allowed for it, with a failure destination", async function () {
        const alarm = withProps(
            { ...s.alarm, propertyDependencies: { alarmActions: [s.fn.urn] }, dependencies: [s.fn.urn] },
            { alarmActions: [FUNCTION_ARN] },
        );
        const permission = resource({
            type: "aws:lambda/permission:Permission",
            name: "alarm-invoke",
            inputs: {
                action: "lambda:InvokeFunction",
                function: "alerts-36cefb3",
                principal: "lambda.alarms.cloudwatch.amazonaws.com",
                sourceArn: ALARM_ARN,
            },
            dependsOn: { function: [s.fn], sourceArn: [alarm] },
        });
        const stack = [s.logGroup, s.role, s.rolePolicy, s.trail, s.filter, alarm, s.fn, permission, s.retries];
        assert.deepEqual(await both(stack), { preview: [], update: [] });
    });

    const READ_ONLY =
        'Trail "trail" records only read-only management events (readWriteType "ReadOnly"), but CloudTrail records a console sign-in as a write event ' +
        '(readOnly false), so the sign-in alarms on its log group never fire; set readWriteType to "All" (or "WriteOnly").';

    it("stops a trail feeding sign-in alerts whose management selector is ReadOnly", async function () {
        const trail = withProps(s.trail, { eventSelectors: [{ readWriteType: "ReadOnly", includeManagementEvents: true }] });
        const expected = [expect("trail-records-sign-ins", "mandatory", s.trail, READ_ONLY)];
        assert.deepEqual(await both(replace(allOf(s), trail)), { preview: expected, update: expected });
    });

    it("stops advanced event selectors narrowed to read-only events or away from signin.amazonaws.com", async function () {
        const message =
            'Trail "trail" has advanced event selectors that select management events but filter out console sign-ins (eventSource "signin.amazonaws.com", ' +
            'eventName "ConsoleLogin", readOnly "false"), so the sign-in alarms on its log group never fire; remove the field selectors on readOnly, eventSource ' +
            'or eventName that exclude them, or add a selector with only { field: "eventCategory", equals: ["Management"] }.';
        for (const narrowing of [
            { field: "readOnly", equals: ["true"] },
            { field: "eventSource", notEquals: ["signin.amazonaws.com"] },
        ]) {
            const trail = withProps(s.trail, {
                advancedEventSelectors: [
                    { name: "management", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }, narrowing] },
                ],
            });
            const expected = [expect("trail-records-sign-ins", "mandatory", s.trail, message)];
            assert.deepEqual(await both(replace(allOf(s), trail)), { preview: expected, update: expected }, JSON.stringify(narrowing));
        }
    });

    describe("exemptions with an expiry date, sent by Configure", function () {
        const configure = async (policy: string, exemption: Record<string, string>) => {
            const request = new analyzer.ConfigureAnalyzerRequest();
            const level = policy === "no-wildcard-iam" ? analyzer.EnforcementLevel.ADVISORY : analyzer.EnforcementLevel.MANDATORY;
            request
                .getPolicyconfigMap()
                .set(
                    policy,
                    new analyzer.PolicyConfig()
                        .setEnforcementlevel(level)
                        .setProperties(Struct.fromJavaScript({ exemptions: [exemption] })),
                );
            await pack.configure(request);
        };
        const readOnlyTrail = replace(allOf(s), withProps(s.trail, { eventSelectors: [{ readWriteType: "ReadOnly" }] }));
        const reason = "Read-only audit trail until the migration (SEC-210).";

        afterEach(async () => pack.configure(new analyzer.ConfigureAnalyzerRequest()));

        it("skips a resource while its exemption is in force", async function () {
            await configure("trail-records-sign-ins", { name: "trail", reason, expires: "2999-12-31" });
            assert.deepEqual(await both(readOnlyTrail), { preview: [], update: [] });
        });

        it("reports a stack policy's violation again after the exemption expires, saying so", async function () {
            await configure("trail-records-sign-ins", { name: "trail", reason, expires: "2000-01-31" });
            const message = `${READ_ONLY} (The exemption for this resource expired on 2000-01-31: "${reason}"; renew it with a later expires date or fix the resource.)`;
            const expected = [expect("trail-records-sign-ins", "mandatory", s.trail, message)];
            assert.deepEqual(await both(readOnlyTrail), { preview: expected, update: expected });
        });

        it("reports a resource policy's violation again after the exemption expires, saying so", async function () {
            const admin = resource({
                type: "aws:iam/rolePolicy:RolePolicy",
                name: "break-glass",
                inputs: { role: "ops", policy: policyDocument({ Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }) },
            });
            const breakGlass = "Emergency access, reviewed quarterly (SEC-142).";
            await configure("no-wildcard-iam", { name: "break-glass", reason: breakGlass, expires: "2001-06-30" });
            const message =
                'IAM role policy "break-glass" allows every action ("*") in statement "Admin"; list only the actions the principal calls. ' +
                `(The exemption for this resource expired on 2001-06-30: "${breakGlass}"; renew it with a later expires date or fix the resource.)`;
            // Analyze answers about the one resource it was asked about; the engine attaches its URN.
            assert.deepEqual(found(await pack.analyze(admin)), [["no-wildcard-iam", "advisory", "", shown("no-wildcard-iam", message)]]);
            await configure("no-wildcard-iam", { name: "break-glass", reason: breakGlass, expires: "2999-01-01" });
            assert.deepEqual(found(await pack.analyze(admin)), []);
        });
    });
});
