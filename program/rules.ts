import type { Severity } from "../shared/contract";

/** The original design's pattern: successful-or-not console sign-ins of IAM users who used MFA. */
export const ORIGINAL_SIGNIN_PATTERN =
    '{ ($.userIdentity.type = "IAMUser") && ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed = "Yes") && ($.eventType = "AwsConsoleSignIn") }';

/** One alert rule at deploy time: its metric filter, its alarm, and how its events are presented. */
export interface DeployTimeRule {
    /** Fixed id; every resource of the rule has it in its name. Lower-case letters, digits and dashes. */
    id: string;
    title: string;
    pattern: string;
    severity: Severity;
    /** Alarm threshold: matching events per period. */
    threshold: number;
    periodSeconds: number;
}

/** Ids of the built-in rules, in the order they are created. */
export const BUILT_IN_RULE_IDS = ["console-signin", "signin-without-mfa", "root-activity", "signin-failures"] as const;
export type BuiltInRuleId = (typeof BUILT_IN_RULE_IDS)[number];

/**
 * The built-in catalog. Patterns name `ConsoleLogin` explicitly so that the other sign-in events
 * (SwitchRole, ExitRole, CheckMfa, RenewRole, GetSigninToken) are never reported as sign-ins.
 */
export const BUILT_IN_RULES: Record<BuiltInRuleId, DeployTimeRule> = {
    "console-signin": {
        id: "console-signin",
        title: "Console sign-in",
        pattern: ORIGINAL_SIGNIN_PATTERN,
        severity: "info",
        threshold: 1,
        periodSeconds: 60,
    },
    // Federated and IAM Identity Center sign-ins are AssumedRole with MFAUsed "No" even when the
    // identity provider enforced MFA, so only IAM users and root are judged here.
    "signin-without-mfa": {
        id: "signin-without-mfa",
        title: "Console sign-in without MFA",
        pattern:
            '{ ($.eventName = "ConsoleLogin") && ($.eventType = "AwsConsoleSignIn") && ($.responseElements.ConsoleLogin = "Success") && ($.additionalEventData.MFAUsed != "Yes") && (($.userIdentity.type = "IAMUser") || ($.userIdentity.type = "Root")) }',
        severity: "high",
        threshold: 1,
        periodSeconds: 60,
    },
    "root-activity": {
        id: "root-activity",
        title: "Root user activity",
        pattern: '{ ($.userIdentity.type = "Root") && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType != "AwsServiceEvent") }',
        severity: "critical",
        threshold: 1,
        periodSeconds: 60,
    },
    // Failed sign-ins with an unknown user name carry "No username found in supplied account"
    // instead of "Failed authentication"; matching the Failure response catches both.
    "signin-failures": {
        id: "signin-failures",
        title: "Failed console sign-in",
        pattern:
            '{ ($.eventName = "ConsoleLogin") && ($.eventType = "AwsConsoleSignIn") && ($.responseElements.ConsoleLogin = "Failure") }',
        severity: "high",
        threshold: 1,
        periodSeconds: 60,
    },
};

/**
 * The Security Hub / CIS AWS Foundations patterns, verbatim, for accounts that must pass
 * CloudWatch.1, CloudWatch.3 and CloudWatch.6 (the controls look for these exact filters).
 */
export const CIS_PATTERNS: Partial<Record<BuiltInRuleId, string>> = {
    "root-activity": '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
    "signin-without-mfa":
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    "signin-failures": '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
};
