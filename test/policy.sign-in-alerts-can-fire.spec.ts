import { strict as assert } from "assert";
import { signInAlertsCanFire } from "../policy/policies/signInAlertsCanFire";
import { UNKNOWN_ON_THE_WIRE, bareSignInTrail, check, messages, replace, resource, withProps } from "./support/policyHarness";

function alertStack() {
    const { logGroup, trail, filter } = bareSignInTrail();
    const alarm = resource({
        type: "aws:cloudwatch/metricAlarm:MetricAlarm",
        name: "signin-alarm",
        inputs: {
            metricName: "console-signin",
            namespace: "ConsoleLoginAlerts",
            threshold: 1,
            alarmActions: ["arn:aws:sns:us-east-1:111122223333:alerts"],
        },
    });
    return { logGroup, trail, filter, alarm, all: [logGroup, trail, filter, alarm] };
}

const MUTED =
    'Alarm "signin-alarm" has actionsEnabled set to false, so it goes into ALARM without notifying its alarmActions; set actionsEnabled to true, or leave it unset.';
const WRONG_GROUP =
    'Metric filter "signin-filter" looks for console sign-ins in log group "app-logs", which no trail of the stack delivers to, so it never matches; ' +
    "set its logGroupName to the log group named in the trail's cloudWatchLogsGroupArn.";
const NO_METRIC =
    'Alarm "signin-alarm" watches metric "console-signins" in namespace "ConsoleLoginAlerts", which no metric filter of the stack publishes, so it never fires; ' +
    "set metricName and namespace to those of the filter's metricTransformation.";

describe("policy sign-in-alerts-can-fire", () => {
    it("passes an alarm on the metric of a sign-in filter on the trail's log group", async () => {
        assert.deepEqual(await check(signInAlertsCanFire, alertStack().all), []);
    });

    it("warns about an alarm with actionsEnabled false", async () => {
        const s = alertStack();
        assert.deepEqual(await messages(signInAlertsCanFire, replace(s.all, withProps(s.alarm, { actionsEnabled: false }))), [MUTED]);
    });

    it("warns about a sign-in metric filter on a log group no trail delivers to", async () => {
        const s = alertStack();
        const filter = { ...withProps(s.filter, { logGroupName: "app-logs" }), propertyDependencies: {}, dependencies: [] };
        assert.deepEqual(await messages(signInAlertsCanFire, replace(s.all, filter)), [WRONG_GROUP]);
    });

    it("leaves a sign-in filter alone in a stack whose trail is elsewhere", async () => {
        const s = alertStack();
        const filter = { ...withProps(s.filter, { logGroupName: "org-trail-logs" }), propertyDependencies: {}, dependencies: [] };
        assert.deepEqual(await check(signInAlertsCanFire, [filter, s.alarm]), []);
    });

    it("warns about an alarm on a metric of the filters' namespace that no filter publishes", async () => {
        const s = alertStack();
        assert.deepEqual(await messages(signInAlertsCanFire, replace(s.all, withProps(s.alarm, { metricName: "console-signins" }))), [
            NO_METRIC,
        ]);
    });

    it("leaves alone an alarm on a namespace no filter publishes to, such as an AWS metric", async () => {
        const s = alertStack();
        const lambdaErrors = withProps(s.alarm, { metricName: "Errors", namespace: "AWS/Lambda" });
        assert.deepEqual(await check(signInAlertsCanFire, replace(s.all, lambdaErrors)), []);
    });

    it("passes in preview, when the filter's metric is not known yet", async () => {
        const s = alertStack();
        const resources = replace(s.all, withProps(s.filter, { metricTransformation: UNKNOWN_ON_THE_WIRE }));
        assert.deepEqual(await check(signInAlertsCanFire, replace(resources, withProps(s.alarm, { metricName: "console-signins" }))), []);
    });
});
