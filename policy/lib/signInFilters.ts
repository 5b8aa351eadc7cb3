/**
 * The metric filters that turn a trail's log events into sign-in alerts, and the log groups trails write to.
 */
import type { PolicyResource } from "@pulumi/policy";
import { ofType, referenced, sameAs } from "./graph";
import { isSet, read, readString } from "./props";
import { AWS } from "./types";

/** A metric filter alerts on sign-ins when its pattern names ConsoleLogin or the Root identity. */
const SIGNIN_FILTER_PATTERN = /\bConsoleLogin\b|\bRoot\b/;

/** `arn:…:logs:<region>:<account>:log-group:<name>[:*]` → name. */
function logGroupNameOfArn(arn: unknown): string | undefined {
    const match = typeof arn === "string" ? /:log-group:([^:]+)(:\*)?$/.exec(arn) : null;
    return match?.[1];
}

function sameLogGroup(logGroup: PolicyResource, value: unknown): boolean {
    const arn = readString(logGroup.props, "arn");
    return typeof arn === "string" && typeof value === "string" && value.replace(/:\*$/, "") === arn.replace(/:\*$/, "");
}

export function isSignInFilter(filter: PolicyResource): boolean {
    const pattern = readString(filter.props, "pattern");
    return typeof pattern === "string" && SIGNIN_FILTER_PATTERN.test(pattern);
}

/** The stack's log groups the trail writes to (its cloudWatchLogsGroupArn), by dependency or by ARN. */
export function trailLogGroups(resources: PolicyResource[], trail: PolicyResource): PolicyResource[] {
    return referenced(trail, "cloudWatchLogsGroupArn", ofType(resources, AWS.logGroup), sameLogGroup);
}

/** True when the filter reads the log group the trail writes to, by dependency or by name. */
export function filterReadsTrail(resources: PolicyResource[], trail: PolicyResource, filter: PolicyResource): boolean {
    const [group] = trailLogGroups(resources, trail);
    const groupName = logGroupNameOfArn(readString(trail.props, "cloudWatchLogsGroupArn"));
    const onGroup = group !== undefined && referenced(filter, "logGroupName", [group], sameAs(["name"])).length > 0;
    return onGroup || (groupName !== undefined && readString(filter.props, "logGroupName") === groupName);
}

/** The trail's sign-in metric filters: on the log group the trail writes to. */
export function signInFilters(resources: PolicyResource[], trail: PolicyResource): PolicyResource[] {
    return ofType(resources, AWS.logMetricFilter).filter((filter) => isSignInFilter(filter) && filterReadsTrail(resources, trail, filter));
}

/** Sign-in metric filters on a log group that no trail of the stack writes to. */
function orphanSignInFilters(resources: PolicyResource[]): PolicyResource[] {
    const trails = ofType(resources, AWS.trail);
    return ofType(resources, AWS.logMetricFilter).filter(
        (filter) => isSignInFilter(filter) && !trails.some((trail) => filterReadsTrail(resources, trail, filter)),
    );
}

/**
 * Whether a trail feeds sign-in alerts: a sign-in metric filter of the stack reads the log group it
 * writes to; or it writes to no log group at all (no cloudWatchLogsGroupArn) while the stack has
 * sign-in filters that no trail feeds, which can only have been meant for it.
 */
export function feedsSignInAlerts(resources: PolicyResource[], trail: PolicyResource): boolean {
    if (signInFilters(resources, trail).length > 0) {
        return true;
    }
    const delivers =
        isSet(read(trail.props, "cloudWatchLogsGroupArn")) || (trail.propertyDependencies["cloudWatchLogsGroupArn"] ?? []).length > 0;
    return !delivers && orphanSignInFilters(resources).length > 0;
}

/** Trails of the stack that feed sign-in alerts (see feedsSignInAlerts). */
export function alertTrails(resources: PolicyResource[]): PolicyResource[] {
    return ofType(resources, AWS.trail).filter((trail) => feedsSignInAlerts(resources, trail));
}
