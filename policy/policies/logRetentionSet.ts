import type { ResourceValidationPolicy } from "@pulumi/policy";
import { read } from "../lib/props";
import { AWS, validateResourceOfType } from "../lib/types";

export const DEFAULT_MINIMUM_RETENTION_DAYS = 365;

export interface LogRetentionConfig {
    minimumRetentionDays?: number;
}

export const logRetentionSet: ResourceValidationPolicy = {
    name: "log-retention-set",
    description:
        "Every CloudWatch Logs log group keeps events for at least minimumRetentionDays (default 365); an unset or zero retention keeps them forever, which also complies.",
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
    validateResource: validateResourceOfType(AWS.logGroup, (logGroup, args, reportViolation) => {
        const minimum = args.getConfig<LogRetentionConfig>().minimumRetentionDays ?? DEFAULT_MINIMUM_RETENTION_DAYS;
        const days = read(logGroup, "retentionInDays");
        if (typeof days === "number" && days > 0 && days < minimum) {
            reportViolation(
                `Log group "${args.name}" keeps events for ${days} days, fewer than the required ${minimum}; ` +
                    `set retentionInDays to at least ${minimum}, or leave it unset to keep events forever.`,
            );
        }
    }),
};
