import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { read } from "../lib/props";
import { alertTrails, trailLogGroups } from "../lib/signInFilters";

export const DEFAULT_MINIMUM_RETENTION_DAYS = 365;

export interface LogRetentionConfig {
    minimumRetentionDays?: number;
}

/** The log groups holding sign-in history: those that trails feeding sign-in alerts write to. */
function signInHistoryGroups(resources: PolicyResource[]): PolicyResource[] {
    return [...new Set(alertTrails(resources).flatMap((trail) => trailLogGroups(resources, trail)))];
}

// Advisory: a team may keep sign-in history elsewhere (an S3 archive, a SIEM) and the group short.
export const logRetentionSet: StackValidationPolicy = {
    name: "log-retention-set",
    description:
        "A CloudWatch Logs log group that a trail feeding sign-in alerts writes to keeps events for at least minimumRetentionDays (default 365); " +
        "an unset or zero retention keeps them forever, which also complies.",
    enforcementLevel: "advisory",
    remediationSteps:
        "Set the log group's retentionInDays to at least the configured minimum (a value CloudWatch Logs accepts, such as 365), or leave it unset.",
    configSchema: {
        properties: {
            minimumRetentionDays: {
                type: "integer",
                minimum: 1,
                default: DEFAULT_MINIMUM_RETENTION_DAYS,
                description: "The fewest days a log group may keep its events.",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const minimum = args.getConfig<LogRetentionConfig>().minimumRetentionDays ?? DEFAULT_MINIMUM_RETENTION_DAYS;
        for (const logGroup of signInHistoryGroups(args.resources)) {
            const days = read(logGroup.props, "retentionInDays");
            if (typeof days === "number" && days > 0 && days < minimum) {
                reportViolation(
                    `Log group "${logGroup.name}" keeps events for ${days} days, fewer than the required ${minimum}; ` +
                        `set retentionInDays to at least ${minimum}, or leave it unset to keep events forever.`,
                    logGroup.urn,
                );
            }
        }
    },
};
