import type { Language, Severity, SummaryPeriod } from "../shared/contract";
import { ORIGINAL_SIGNIN_PATTERN } from "./rules";

/**
 * Every configuration default, in one place: the stack readers, the component and (as a test
 * checks) Pulumi.yaml's `default:` attributes all say the same. Its own module so that the rule
 * readers and the stack readers can both use it without importing each other.
 */
export const DEFAULTS = {
    timeZone: "UTC",
    trailLogRetentionDays: 365,
    functionLogRetentionDays: 365,
    trailBucketExpirationDays: 365,
    forceDestroyTrailBucket: false,
    signInFilterPattern: ORIGINAL_SIGNIN_PATTERN,
    useCisPatterns: false,
    disabledRules: [] as string[],
    customRules: [] as unknown[],
    failureThreshold: 1,
    failurePeriodSeconds: 60,
    mentions: {} as Record<string, string>,
    accountLabels: {} as Record<string, string>,
    allowList: [] as unknown[],
    notifyOnOk: false,
    lagAllowanceMinutes: 60,
    sweepIntervalMinutes: 5,
    existingTrailLogGroupName: "",
    existingTrailArn: "",
    organizationTrail: false,
    operatorEmail: "",
    encryptTopics: false,
    encryptTrailLogs: false,
    fastPath: true,
    fastPathRegions: [] as string[],
    language: "en" as Language,
    firstSeenDays: 90,
    newNetworkSeverity: { "console-signin": "high" } as Record<string, Severity>,
    summary: "off" as SummaryPeriod,
    heartbeatMinutes: 1440,
    tags: {} as Record<string, string>,
    organization: {} as Record<string, unknown>,
    confirm: {} as Record<string, unknown>,
    confirmMinutes: 30,
    confirmUsers: {} as Record<string, string>,
    slackBotToken: "",
    slackSigningSecret: "",
} as const;
