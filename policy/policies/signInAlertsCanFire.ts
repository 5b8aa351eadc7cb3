import type { PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { ofType } from "../lib/graph";
import { NOT_YET_KNOWN, read, readList, readString } from "../lib/props";
import { filterReadsTrail, isSignInFilter } from "../lib/signInFilters";
import { AWS } from "../lib/types";

function checkFilterOnTrailGroup(resources: PolicyResource[], filter: PolicyResource, reportViolation: ReportViolation): void {
    const trails = ofType(resources, AWS.trail);
    const group = readString(filter.props, "logGroupName");
    // A trail that delivers nowhere, or to a group not known yet, is trail-logs-to-cloudwatch's
    // finding; the filter may well be on the right group.
    const delivering = trails.every(
        (t) =>
            typeof readString(t.props, "cloudWatchLogsGroupArn") === "string" ||
            (t.propertyDependencies["cloudWatchLogsGroupArn"] ?? []).length > 0,
    );
    if (trails.length === 0 || !delivering || group === NOT_YET_KNOWN || trails.some((t) => filterReadsTrail(resources, t, filter))) {
        return;
    }
    reportViolation(
        `Metric filter "${filter.name}" looks for console sign-ins in log group "${String(group ?? "")}", which no trail of the stack delivers to, ` +
            `so it never matches; set its logGroupName to the log group named in the trail's cloudWatchLogsGroupArn.`,
        filter.urn,
    );
}

/** `namespace/name` pairs the stack's metric filters publish, or NOT_YET_KNOWN while one is computed. */
function filterMetrics(resources: PolicyResource[]): Set<string> | typeof NOT_YET_KNOWN {
    const metrics = new Set<string>();
    for (const filter of ofType(resources, AWS.logMetricFilter)) {
        const transformations = readList(filter.props, "metricTransformation");
        if (transformations === NOT_YET_KNOWN) {
            return NOT_YET_KNOWN;
        }
        for (const t of transformations) {
            const name = readString(t, "name");
            const namespace = readString(t, "namespace");
            if (name === NOT_YET_KNOWN || namespace === NOT_YET_KNOWN) {
                return NOT_YET_KNOWN;
            }
            metrics.add(`${String(namespace)}/${String(name)}`);
        }
    }
    return metrics;
}

function checkAlarm(alarm: PolicyResource, metrics: Set<string> | typeof NOT_YET_KNOWN, reportViolation: ReportViolation): void {
    if (read(alarm.props, "actionsEnabled") === false) {
        reportViolation(
            `Alarm "${alarm.name}" has actionsEnabled set to false, so it goes into ALARM without notifying its alarmActions; ` +
                `set actionsEnabled to true, or leave it unset.`,
            alarm.urn,
        );
    }
    const name = readString(alarm.props, "metricName");
    const namespace = readString(alarm.props, "namespace");
    if (metrics === NOT_YET_KNOWN || typeof name !== "string" || typeof namespace !== "string") {
        return;
    }
    // Only a namespace the stack's filters publish to: an alarm on an AWS metric, or on one an
    // application puts with PutMetricData, has no filter behind it and is fine.
    const namespaceOfFilters = [...metrics].some((m) => m.startsWith(`${namespace}/`));
    if (namespaceOfFilters && !metrics.has(`${namespace}/${name}`)) {
        reportViolation(
            `Alarm "${alarm.name}" watches metric "${name}" in namespace "${namespace}", which no metric filter of the stack publishes, so it never fires; ` +
                `set metricName and namespace to those of the filter's metricTransformation.`,
            alarm.urn,
        );
    }
}

// Advisory: each case usually means alerts that cannot fire, but each has a legitimate reading a
// pack run on other teams' stacks cannot rule out: an alarm muted for maintenance, a trail in
// another stack writing to the filter's log group, a metric that code also puts directly. (A
// ReadOnly trail is trail-records-sign-ins' finding: CloudTrail records a sign-in as a write event.)
export const signInAlertsCanFire: StackValidationPolicy = {
    name: "sign-in-alerts-can-fire",
    description:
        "Sign-in alerts are wired so they can fire: sign-in metric filters read a trail's log group, " +
        "alarms watch a metric a filter publishes, and alarm actions are enabled.",
    enforcementLevel: "advisory",
    remediationSteps:
        "Put sign-in metric filters on the log group of the trail's cloudWatchLogsGroupArn, " +
        "give each alarm the metricName and namespace of a filter's metricTransformation, and leave actionsEnabled unset or true.",
    validateStack: (args, reportViolation) => {
        for (const filter of ofType(args.resources, AWS.logMetricFilter).filter(isSignInFilter)) {
            checkFilterOnTrailGroup(args.resources, filter, reportViolation);
        }
        const metrics = filterMetrics(args.resources);
        for (const alarm of ofType(args.resources, AWS.metricAlarm)) {
            checkAlarm(alarm, metrics, reportViolation);
        }
    },
};
