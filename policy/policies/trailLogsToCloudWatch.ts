import type { PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { ofType, referenced, rolePolicyStatements, sameAs } from "../lib/graph";
import { actionAllowed, resourceAllowed, servicePrincipals, statementsOf } from "../lib/iam";
import { NOT_YET_KNOWN, isSet, read, readString } from "../lib/props";
import { AWS } from "../lib/types";

const LOG_GROUP_ARN_FOR_TRAIL = /^arn:[\w-]+:logs:[\w-]+:\d{12}:log-group:[^:]+:\*$/;

/** Reports a trail's missing or malformed CloudWatch Logs settings; true when both are set. */
function checkTrailSettings(trail: PolicyResource, reportViolation: ReportViolation): boolean {
    const groupArn = readString(trail.props, "cloudWatchLogsGroupArn");
    const roleArn = readString(trail.props, "cloudWatchLogsRoleArn");
    if (!isSet(groupArn)) {
        reportViolation(
            `Trail "${trail.name}" does not deliver its events to CloudWatch Logs, so no metric filter or alarm ever sees a console sign-in; ` +
                `set cloudWatchLogsGroupArn to the log group's ARN followed by ":*".`,
            trail.urn,
        );
    } else if (typeof groupArn === "string" && !LOG_GROUP_ARN_FOR_TRAIL.test(groupArn)) {
        reportViolation(
            `Trail "${trail.name}" has cloudWatchLogsGroupArn "${groupArn}", which is not a log group ARN ending in ":*", and CloudTrail rejects it; ` +
                `set it to the log group's ARN followed by ":*".`,
            trail.urn,
        );
    }
    if (!isSet(roleArn)) {
        reportViolation(
            `Trail "${trail.name}" has no cloudWatchLogsRoleArn, so CloudTrail cannot write to a log group; ` +
                `set it to the ARN of a role that cloudtrail.amazonaws.com can assume and that allows logs:PutLogEvents on the group.`,
            trail.urn,
        );
    }
    return isSet(groupArn) && isSet(roleArn);
}

function checkRoleTrust(trail: PolicyResource, role: PolicyResource, reportViolation: ReportViolation): void {
    const trust = statementsOf(read(role.props, "assumeRolePolicy"));
    if (trust === NOT_YET_KNOWN) {
        return;
    }
    const assumable = (trust ?? []).some((s) => {
        const principals = servicePrincipals(s);
        return actionAllowed(s, "sts:AssumeRole") && (principals === "*" || principals.includes("cloudtrail.amazonaws.com"));
    });
    if (!assumable) {
        reportViolation(
            `Role "${role.name}" delivers trail "${trail.name}" to CloudWatch Logs, but its assumeRolePolicy does not let cloudtrail.amazonaws.com assume it; ` +
                `add an Allow statement for sts:AssumeRole with the principal { Service: "cloudtrail.amazonaws.com" }.`,
            role.urn,
        );
    }
}

function checkRoleWrites(
    resources: PolicyResource[],
    trail: PolicyResource,
    role: PolicyResource,
    group: PolicyResource,
    reportViolation: ReportViolation,
): void {
    const groupBaseArn = readString(group.props, "arn");
    const statements = rolePolicyStatements(resources, role);
    if (typeof groupBaseArn !== "string" || statements === NOT_YET_KNOWN) {
        return;
    }
    // CloudTrail names its streams <account>_CloudTrail_<region>.
    const [, , , region = "", account = ""] = groupBaseArn.split(":");
    const streamArn = `${groupBaseArn.replace(/:\*$/, "")}:log-stream:${account}_CloudTrail_${region}`;
    const canWrite = statements.some((s) => actionAllowed(s, "logs:PutLogEvents") && resourceAllowed(s, streamArn));
    if (!canWrite) {
        reportViolation(
            `Role "${role.name}" delivers trail "${trail.name}" to log group "${group.name}", but none of its policies allows logs:PutLogEvents on that group; ` +
                `add a role policy allowing logs:CreateLogStream and logs:PutLogEvents on the group's ARN followed by ":log-stream:*".`,
            role.urn,
        );
    }
}

function sameLogGroup(logGroup: PolicyResource, value: unknown): boolean {
    const arn = readString(logGroup.props, "arn");
    return typeof arn === "string" && typeof value === "string" && value.replace(/:\*$/, "") === arn.replace(/:\*$/, "");
}

export const trailLogsToCloudWatch: StackValidationPolicy = {
    name: "trail-logs-to-cloudwatch",
    description:
        "Every CloudTrail trail delivers its events to a CloudWatch Logs log group through a role that CloudTrail can assume and that may write to that group.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Set the trail's cloudWatchLogsGroupArn to the log group's ARN followed by \":*\" and cloudWatchLogsRoleArn to a role whose trust policy " +
        "allows cloudtrail.amazonaws.com to call sts:AssumeRole and whose policy allows logs:CreateLogStream and logs:PutLogEvents on " +
        'the group\'s ARN followed by ":log-stream:*".',
    validateStack: (args, reportViolation) => {
        const logGroups = ofType(args.resources, AWS.logGroup);
        const roles = ofType(args.resources, AWS.role);
        for (const trail of ofType(args.resources, AWS.trail)) {
            if (!checkTrailSettings(trail, reportViolation)) {
                continue;
            }
            const [group] = referenced(trail, "cloudWatchLogsGroupArn", logGroups, sameLogGroup);
            const [role] = referenced(trail, "cloudWatchLogsRoleArn", roles, sameAs(["arn"]));
            if (!group || !role) {
                continue;
            }
            checkRoleTrust(trail, role, reportViolation);
            checkRoleWrites(args.resources, trail, role, group, reportViolation);
        }
    },
};
