import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { MetricAlarm } from "@pulumi/aws/cloudwatch/metricAlarm";
import { NOT_YET_KNOWN, readList } from "../lib/props";

export const alarmsHaveActions: ResourceValidationPolicy = {
    name: "alarms-have-actions",
    description: "Every CloudWatch metric alarm notifies at least one alarm action.",
    enforcementLevel: "advisory",
    remediationSteps: "Add the alert topic's ARN to the alarm's alarmActions.",
    validateResource: validateResourceOfType(MetricAlarm, (alarm, args, reportViolation) => {
        const actions = readList(alarm, "alarmActions");
        if (actions !== NOT_YET_KNOWN && actions.length === 0) {
            reportViolation(
                `Alarm "${args.name}" has no alarmActions, so it goes into ALARM without telling anyone; add the alert topic's ARN to alarmActions.`,
            );
        }
    }),
};
