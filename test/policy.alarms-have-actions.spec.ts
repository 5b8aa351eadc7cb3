import { strict as assert } from "assert";
import { alarmsHaveActions } from "../policy/policies/alarmsHaveActions";
import { UNKNOWN_ON_THE_WIRE, check, messages, resource, withProps } from "./support/policyHarness";

const TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:login-alerts-alarms-e88e06f";

function alarm() {
    return resource({
        type: "aws:cloudwatch/metricAlarm:MetricAlarm",
        name: "console-signin-alarm",
        inputs: {
            metricName: "console-signin",
            namespace: "ConsoleLoginAlerts",
            threshold: 1,
            alarmActions: [TOPIC_ARN],
            okActions: [TOPIC_ARN],
        },
    });
}

const NO_ACTIONS =
    'Alarm "console-signin-alarm" has no alarmActions, so it goes into ALARM without telling anyone; add the alert topic\'s ARN to alarmActions.';

describe("policy alarms-have-actions", () => {
    it("passes an alarm that notifies the alert topic", async () => {
        assert.deepEqual(await check(alarmsHaveActions, [alarm()]), []);
    });

    it("flags an alarm with an empty alarmActions list", async () => {
        const broken = withProps(alarm(), { alarmActions: [] });
        assert.deepEqual(await check(alarmsHaveActions, [broken]), [
            { policy: "alarms-have-actions", enforcementLevel: "advisory", urn: broken.urn, message: NO_ACTIONS },
        ]);
    });

    it("flags an alarm with only okActions", async () => {
        assert.deepEqual(await messages(alarmsHaveActions, [withProps(alarm(), { alarmActions: undefined })]), [NO_ACTIONS]);
    });

    it("passes in preview, when the topic ARN is not known yet", async () => {
        assert.deepEqual(await check(alarmsHaveActions, [withProps(alarm(), { alarmActions: [UNKNOWN_ON_THE_WIRE] })]), []);
        assert.deepEqual(await check(alarmsHaveActions, [withProps(alarm(), { alarmActions: UNKNOWN_ON_THE_WIRE })]), []);
    });
});
