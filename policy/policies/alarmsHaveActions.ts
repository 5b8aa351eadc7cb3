import type { ResourceValidationPolicy } from "@pulumi/policy";
import { NOT_YET_KNOWN, readList } from "../lib/props";
import { AWS, validateResourceOfType } from "../lib/types";

export const alarmsHaveActions: ResourceValidationPolicy = {
    name: "alarms-have-actions",
    description: "Every CloudWatch metric alarm notifies at least one alarm action.",
    enforcementLevel: "advisory",
    remediationSteps: "Add the alert topic's ARN to the alarm's alarmActions.",
    validateResource: validateResourceOfType(AWS.metricAlarm, (alarm, args, reportViolation) => {
        const actions = readList(alarm, "alarmActions");
        if (actions !== NOT_YET_KNOWN && actions.length === 0) {
            reportViolation(
                `Alarm "${args.name}" has no alarmActions, so it goes into ALARM without telling anyone; add the alert topic's ARN to alarmActions.`,
            );
        }
    }),
};
