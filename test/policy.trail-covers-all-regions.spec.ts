import { strict as assert } from "assert";
import { trailCoversAllRegions } from "../policy/policies/trailCoversAllRegions";
import {
    UNKNOWN_ON_THE_WIRE,
    check as checkStack,
    messages as messagesOf,
    resource,
    signInFilter,
    withProps,
    type EngineResource,
} from "./support/policyHarness";
import type { AnyPolicy } from "../tools/policyCheck";

// The trail writes to no log group of the stack, and the stack's sign-in filter reads a group no
// trail feeds: the trail is the one meant to feed it, so the policy applies.
const ORPHAN_FILTER = signInFilter("signin-filter", "trail-logs-18a1fb5");
const check = (policy: AnyPolicy, resources: EngineResource[]) => checkStack(policy, [...resources, ORPHAN_FILTER]);
const messages = (policy: AnyPolicy, resources: EngineResource[]) => messagesOf(policy, [...resources, ORPHAN_FILTER]);

function trail() {
    return resource({
        type: "aws:cloudtrail/trail:Trail",
        name: "trail",
        inputs: {
            name: "login-alerts-dev",
            s3BucketName: "trail-bucket",
            isMultiRegionTrail: true,
            includeGlobalServiceEvents: true,
            enableLogFileValidation: true,
        },
    });
}

const SINGLE_REGION =
    'Trail "trail" records only the region it is created in, so console sign-ins through another region\'s sign-in endpoint go unseen; set isMultiRegionTrail to true.';
const NO_GLOBAL_EVENTS =
    'Trail "trail" leaves out global service events such as IAM and STS calls; set includeGlobalServiceEvents to true.';
const NO_VALIDATION =
    'Trail "trail" does not validate its log files, so edits to delivered logs cannot be detected; set enableLogFileValidation to true.';

describe("policy trail-covers-all-regions", () => {
    it("passes a multi-region trail with global service events and log file validation", async () => {
        assert.deepEqual(await check(trailCoversAllRegions, [trail()]), []);
    });

    it("flags a single-region trail, as an advisory", async () => {
        const broken = withProps(trail(), { isMultiRegionTrail: false });
        assert.deepEqual(await check(trailCoversAllRegions, [broken]), [
            { policy: "trail-covers-all-regions", enforcementLevel: "advisory", urn: broken.urn, message: SINGLE_REGION },
        ]);
    });

    it("flags a trail that leaves isMultiRegionTrail unset (it defaults to false)", async () => {
        assert.deepEqual(await messages(trailCoversAllRegions, [withProps(trail(), { isMultiRegionTrail: undefined })]), [SINGLE_REGION]);
    });

    it("flags a trail without global service events", async () => {
        assert.deepEqual(await messages(trailCoversAllRegions, [withProps(trail(), { includeGlobalServiceEvents: false })]), [
            NO_GLOBAL_EVENTS,
        ]);
    });

    it("passes a trail that leaves includeGlobalServiceEvents unset (it defaults to true)", async () => {
        assert.deepEqual(await check(trailCoversAllRegions, [withProps(trail(), { includeGlobalServiceEvents: undefined })]), []);
    });

    it("flags a trail without log file validation, set to false or left unset", async () => {
        assert.deepEqual(await messages(trailCoversAllRegions, [withProps(trail(), { enableLogFileValidation: false })]), [NO_VALIDATION]);
        assert.deepEqual(await messages(trailCoversAllRegions, [withProps(trail(), { enableLogFileValidation: undefined })]), [
            NO_VALIDATION,
        ]);
    });

    it("reports each missing setting of one trail", async () => {
        const bare = withProps(trail(), { isMultiRegionTrail: false, includeGlobalServiceEvents: false, enableLogFileValidation: false });
        assert.deepEqual(await messages(trailCoversAllRegions, [bare]), [SINGLE_REGION, NO_GLOBAL_EVENTS, NO_VALIDATION]);
    });

    it("passes in preview, when the settings are computed", async () => {
        const computed = withProps(trail(), {
            isMultiRegionTrail: UNKNOWN_ON_THE_WIRE,
            includeGlobalServiceEvents: UNKNOWN_ON_THE_WIRE,
            enableLogFileValidation: UNKNOWN_ON_THE_WIRE,
        });
        assert.deepEqual(await check(trailCoversAllRegions, [computed]), []);
    });

    it("ignores resources that are not trails", async () => {
        assert.deepEqual(
            await check(trailCoversAllRegions, [resource({ type: "aws:s3/bucket:Bucket", name: "trail-bucket", inputs: {} })]),
            [],
        );
    });

    it("leaves alone a single-region trail that feeds no sign-in alert (a data-events trail)", async () => {
        const bare = withProps(trail(), { isMultiRegionTrail: false, enableLogFileValidation: false });
        assert.deepEqual(await checkStack(trailCoversAllRegions, [bare]), []);
    });
});
