import { strict as assert } from "assert";
import { fastPathCoversTrailRegions } from "../policy/policies/fastPathCoversTrailRegions";
import { toEngineResource, type EngineResource } from "../tools/engineWire";
import type { RecordedResource } from "../tools/offlineEngine";
import { checkResources } from "../tools/policyCheck";
import { check, messages, resource, withEveryArnUnknown } from "./support/policyHarness";
import { runWith } from "./support/program";

const POLICY = "fast-path-covers-trail-regions";
const REGION_RULE = /^login-alerts-fast-path-([a-z]{2}(?:-[a-z]+)+-\d)-rule$/;

const uncovered = (trail: string, region: string) =>
    `Trail "${trail}" records console sign-ins in ${region} and metric filters on its log group alert on them, ` +
    `but no EventBridge rule on ${region}'s default event bus forwards them to the fast path, so sign-ins recorded there ` +
    `are reported only by the CloudWatch Logs alarms, minutes later; add ${region} to fastPathRegions (or leave it empty to cover ` +
    `every enabled region), or add a rule on ${region}'s default bus matching source aws.signin with a target forwarding to the fast path's bus.`;

function without(resources: RecordedResource[], drop: (r: RecordedResource) => boolean): EngineResource[] {
    return resources.filter((r) => !drop(r)).map(toEngineResource);
}

describe("policy fast-path-covers-trail-regions, on the program as the engine presents it", function () {
    let resources: RecordedResource[];
    let trailUrn: string;

    before(async function () {
        resources = (await runWith()).resources;
        trailUrn = resources.find((r) => r.name === "login-alerts-trail")?.urn ?? "";
        assert.ok(trailUrn);
    });

    it("finds nothing when every region the program's providers name has its forwarding rule", async function () {
        const regions = resources.map((r) => REGION_RULE.exec(r.name)?.[1]).filter(Boolean);
        assert.equal(regions.length, 17);
        assert.deepEqual(await check(fastPathCoversTrailRegions, resources.map(toEngineResource)), []);
    });

    it("warns once, against the trail and naming the region, when one region's rule is removed", async function () {
        const stack = without(resources, (r) => r.name === "login-alerts-fast-path-eu-west-1-rule");
        assert.deepEqual(await check(fastPathCoversTrailRegions, stack), [
            { policy: POLICY, enforcementLevel: "advisory", urn: trailUrn, message: uncovered("login-alerts-trail", "eu-west-1") },
        ]);
    });

    it("is the only policy of the pack that speaks, and it does not fail the preview", async function () {
        const stack = structuredClone(resources.filter((r) => r.name !== "login-alerts-fast-path-ap-south-1-rule"));
        assert.deepEqual(await checkResources(stack), {
            violations: [
                { policy: POLICY, enforcementLevel: "advisory", urn: trailUrn, message: uncovered("login-alerts-trail", "ap-south-1") },
            ],
            mandatoryFailed: false,
        });
    });

    it("names each uncovered region, in order, when several rules are removed", async function () {
        const gone = new Set(["login-alerts-fast-path-us-west-2-rule", "login-alerts-fast-path-eu-north-1-rule"]);
        assert.deepEqual(
            await messages(
                fastPathCoversTrailRegions,
                without(resources, (r) => gone.has(r.name)),
            ),
            [uncovered("login-alerts-trail", "eu-north-1"), uncovered("login-alerts-trail", "us-west-2")],
        );
    });

    it("says nothing for a stack with no fast-path rule at all: it has not opted in", async function () {
        const stack = without(resources, (r) => REGION_RULE.test(r.name));
        assert.ok(stack.some((r) => r.type === "aws:cloudwatch/eventTarget:EventTarget" && r.inputs["region"] !== undefined));
        assert.deepEqual(await check(fastPathCoversTrailRegions, stack), []);
    });

    it("says nothing for fastPath: false, whose stack keeps the sign-in alarms but has no regional rule", async function () {
        const off = (await runWith({ fastPath: "false" })).resources;
        assert.ok(off.some((r) => r.type === "aws:cloudwatch/logMetricFilter:LogMetricFilter"));
        assert.ok(!off.some((r) => r.type === "aws:cloudwatch/eventRule:EventRule" && REGION_RULE.test(r.name)));
        assert.deepEqual(await check(fastPathCoversTrailRegions, off.map(toEngineResource)), []);
    });

    it("covers exactly the configured fastPathRegions, and warns if one of them loses its rule", async function () {
        const two = (await runWith({ fastPathRegions: JSON.stringify(["us-east-1", "eu-west-1"]) })).resources;
        assert.deepEqual(await check(fastPathCoversTrailRegions, two.map(toEngineResource)), []);
        const stack = without(two, (r) => r.name === "login-alerts-fast-path-us-east-1-rule");
        assert.deepEqual(await messages(fastPathCoversTrailRegions, stack), [uncovered("login-alerts-trail", "us-east-1")]);
    });

    it("speaks in a first preview too, with every ARN unknown: each regional rule names its region", async function () {
        const preview = withEveryArnUnknown(without(resources, (r) => r.name === "login-alerts-fast-path-eu-west-1-rule"));
        assert.deepEqual(
            (await check(fastPathCoversTrailRegions, preview)).map((v) => v.message),
            [uncovered("login-alerts-trail", "eu-west-1")],
        );
    });

    it("waits, without a note, while a rule's region is unknown: no region of its own and no ARN yet", async function () {
        const withoutRegion = (props: Record<string, unknown>) => Object.fromEntries(Object.entries(props).filter(([k]) => k !== "region"));
        const regionless = without(resources, (r) => r.name === "login-alerts-fast-path-eu-west-1-rule").map((r) =>
            REGION_RULE.test(r.name) ? { ...r, inputs: withoutRegion(r.inputs), outputs: withoutRegion(r.outputs) } : r,
        );
        assert.deepEqual(await check(fastPathCoversTrailRegions, withEveryArnUnknown(regionless)), []);
    });
});

describe("policy fast-path-covers-trail-regions, on hand-built stacks", function () {
    const group = resource({
        type: "aws:cloudwatch/logGroup:LogGroup",
        name: "trail-logs",
        inputs: { name: "trail-logs" },
        outputs: { arn: "arn:aws:logs:us-east-1:111122223333:log-group:trail-logs" },
    });
    const trail = (multiRegion: boolean) =>
        resource({
            type: "aws:cloudtrail/trail:Trail",
            name: "trail",
            inputs: {
                isMultiRegionTrail: multiRegion,
                cloudWatchLogsGroupArn: "arn:aws:logs:us-east-1:111122223333:log-group:trail-logs:*",
            },
            outputs: { arn: "arn:aws:cloudtrail:us-east-1:111122223333:trail/trail" },
            dependsOn: { cloudWatchLogsGroupArn: [group] },
        });
    const filter = (pattern: string) =>
        resource({
            type: "aws:cloudwatch/logMetricFilter:LogMetricFilter",
            name: "filter",
            inputs: { logGroupName: "trail-logs", pattern },
            dependsOn: { logGroupName: [group] },
        });
    const provider = (region: string) => resource({ type: "pulumi:providers:aws", name: `aws-${region}`, inputs: { region } });
    const bus = resource({
        type: "aws:cloudwatch/eventBus:EventBus",
        name: "central",
        inputs: { name: "central" },
        outputs: { arn: "arn:aws:events:us-east-1:111122223333:event-bus/central" },
    });
    const forwarder = (region: string, eventPattern: string) => {
        const rule = resource({
            type: "aws:cloudwatch/eventRule:EventRule",
            name: `forward-${region}`,
            inputs: { eventPattern },
            outputs: { name: `forward-${region}`, arn: `arn:aws:events:${region}:111122223333:rule/forward-${region}` },
        });
        const target = resource({
            type: "aws:cloudwatch/eventTarget:EventTarget",
            name: `forward-${region}-target`,
            inputs: { rule: `forward-${region}`, arn: "arn:aws:events:us-east-1:111122223333:event-bus/central" },
            dependsOn: { rule: [rule], arn: [bus] },
        });
        return [rule, target];
    };
    const SIGNINS = JSON.stringify({ source: ["aws.signin"], "detail-type": ["AWS Console Sign In via CloudTrail"] });
    const SIGNIN_FILTER = '{ ($.eventName = "ConsoleLogin") }';

    it("reads a multi-region trail as covering its home region and every region a provider names", async function () {
        const stack = [group, trail(true), filter(SIGNIN_FILTER), bus, provider("eu-west-1"), ...forwarder("eu-west-1", SIGNINS)];
        assert.deepEqual(await messages(fastPathCoversTrailRegions, stack), [uncovered("trail", "us-east-1")]);
    });

    it("reads a single-region trail as covering only its home region", async function () {
        const stack = [
            group,
            trail(false),
            filter(SIGNIN_FILTER),
            bus,
            provider("eu-west-1"),
            provider("us-east-1"),
            ...forwarder("eu-west-1", SIGNINS),
        ];
        assert.deepEqual(await messages(fastPathCoversTrailRegions, stack), [uncovered("trail", "us-east-1")]);
        const covered = [...stack, ...forwarder("us-east-1", SIGNINS)];
        assert.deepEqual(await check(fastPathCoversTrailRegions, covered), []);
    });

    it("needs a metric filter naming ConsoleLogin or Root on the trail's log group", async function () {
        const base = [group, trail(true), bus, provider("eu-west-1"), ...forwarder("eu-west-1", SIGNINS)];
        assert.deepEqual(await check(fastPathCoversTrailRegions, [...base, filter('{ ($.eventName = "CreateUser") }')]), []);
        assert.equal((await check(fastPathCoversTrailRegions, [...base, filter('{ ($.userIdentity.type = "Root") }')])).length, 1);
    });

    it("does not count a rule whose pattern lets no console sign-in through as opting in", async function () {
        const other = JSON.stringify({ source: ["aws.ec2"] });
        const stack = [group, trail(true), filter(SIGNIN_FILTER), bus, provider("eu-west-1"), ...forwarder("eu-west-1", other)];
        assert.deepEqual(await check(fastPathCoversTrailRegions, stack), []);
    });

    it("counts a sign-in alternative of a top-level $or", async function () {
        const either = JSON.stringify({ $or: [{ source: ["aws.ec2"] }, { source: ["aws.signin"] }] });
        const stack = [group, trail(true), filter(SIGNIN_FILTER), bus, provider("eu-west-1"), ...forwarder("eu-west-1", either)];
        assert.deepEqual(await messages(fastPathCoversTrailRegions, stack), [uncovered("trail", "us-east-1")]);
    });
});
