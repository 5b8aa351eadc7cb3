import type { Severity } from "../shared/contract";
import { TAMPERING_RULE_IDS, tamperingPattern, type TamperingRuleId } from "./watchList";

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
export const BUILT_IN_RULE_IDS = [
    "console-signin",
    "signin-without-mfa",
    "root-activity",
    "signin-failures",
    "sso-signin-without-mfa",
    ...TAMPERING_RULE_IDS,
] as const;
export type BuiltInRuleId = (typeof BUILT_IN_RULE_IDS)[number];

/**
 * IAM Identity Center sign-ins that verified a password and nothing else. A UserAuthentication
 * event is logged once every credential challenge of a sign-in succeeded, and its
 * additionalEventData.CredentialType lists every credential verified, comma-separated: "PASSWORD",
 * "PASSWORD,TOTP", "EXTERNAL_IDP" (values PASSWORD, TOTP, WEBAUTHN, EXTERNAL_IDP, RESYNC_TOTP) — IAM
 * Identity Center User Guide, "Understanding sign-in events". Exactly "PASSWORD" is a sign-in
 * without MFA; EXTERNAL_IDP is not flagged, since the external identity provider decides MFA. The
 * events come from signin.amazonaws.com; newer ones may name sso.amazonaws.com, so both are taken.
 */
export const SSO_SIGNIN_WITHOUT_MFA_PATTERN =
    '{ ($.eventSource = "signin.amazonaws.com" || $.eventSource = "sso.amazonaws.com") && ($.eventName = "UserAuthentication") && ($.serviceEventDetails.UserAuthentication = "Success") && ($.additionalEventData.CredentialType = "PASSWORD") }';

function tamperingRule(id: TamperingRuleId, title: string): DeployTimeRule {
    return { id, title, pattern: tamperingPattern(id), severity: "critical", threshold: 1, periodSeconds: 60 };
}

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
    "sso-signin-without-mfa": {
        id: "sso-signin-without-mfa",
        title: "IAM Identity Center sign-in without MFA",
        pattern: SSO_SIGNIN_WITHOUT_MFA_PATTERN,
        severity: "high",
        threshold: 1,
        periodSeconds: 60,
    },
    // The calls of program/watchList.ts, on the stack's own trail; a stack using an existing trail
    // gets the pattern naming its log group.
    "trail-tampering": tamperingRule("trail-tampering", "CloudTrail or alerting tampered with"),
    "function-tampering": tamperingRule("function-tampering", "Alert function, its role or webhook changed"),
    "delivery-tampering": tamperingRule("delivery-tampering", "Alert topics, routing or keys changed"),
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
