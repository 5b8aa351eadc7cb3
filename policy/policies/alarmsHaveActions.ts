import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ofType } from "../lib/graph";
import { NOT_YET_KNOWN, readList, readString } from "../lib/props";
import { AWS } from "../lib/types";

/** The alarms a composite alarm's rule names: `ALARM("name")`, `OK(arn)`, … https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html */
function ruleNames(rule: string): Set<string> {
    const names = new Set<string>();
    for (const match of rule.matchAll(/\b(?:ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*"?([^")]+?)"?\s*\)/g)) {
        if (match[1]) {
            names.add(match[1].trim());
        }
    }
    return names;
}

/** True when a composite alarm of the stack watches the alarm (by name or ARN in its rule, or by dependency). */
function isCompositeChild(composites: PolicyResource[], alarm: PolicyResource): boolean {
    const ids = [readString(alarm.props, "name"), readString(alarm.props, "arn")].filter((v): v is string => typeof v === "string");
    return composites.some((composite) => {
        if ((composite.propertyDependencies["alarmRule"] ?? []).some((d) => d.urn === alarm.urn)) {
            return true;
        }
        const rule = readString(composite.props, "alarmRule");
        return typeof rule === "string" && ids.some((id) => ruleNames(rule).has(id));
    });
}

// Advisory: an alarm without actions may be meant for a dashboard; the pack cannot tell.
export const alarmsHaveActions: StackValidationPolicy = {
    name: "alarms-have-actions",
    description: "Every CloudWatch metric alarm that no composite alarm of the stack watches notifies at least one alarm action.",
    enforcementLevel: "advisory",
    remediationSteps: "Add the alert topic's ARN to the alarm's alarmActions, or watch the alarm from a composite alarm that has actions.",
    validateStack: (args, reportViolation) => {
        const composites = ofType(args.resources, AWS.compositeAlarm);
        for (const alarm of ofType(args.resources, AWS.metricAlarm)) {
            const actions = readList(alarm.props, "alarmActions");
            if (actions !== NOT_YET_KNOWN && actions.length === 0 && !isCompositeChild(composites, alarm)) {
                reportViolation(
                    `Alarm "${alarm.name}" has no alarmActions, so it goes into ALARM without telling anyone; add the alert topic's ARN to alarmActions.`,
                    alarm.urn,
                );
            }
        }
    },
};
