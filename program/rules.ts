import type { Severity } from "../shared/contract";
import { COMPONENT_NAME } from "./names";

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
    "trail-tampering",
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

/**
 * Calls that blind the trail, or tear down this stack's alerting, whoever makes them and whether or
 * not AWS refused them. The pattern is captured into the function's code and used by the metric
 * filter, so it names only what is known before deployment: the CloudTrail calls on any trail, and
 * this stack's resources by the prefix every name the component generates starts with
 * (`login-alerts-`), plus the existing trail's log group when the stack uses one. Field names are
 * each API's request parameters as CloudTrail records them (CloudTrail User Guide, "CloudTrail
 * record contents": requestParameters are the parameters documented in the service's API
 * reference, first letter lower-case):
 * - CloudTrail StopLogging, DeleteTrail, UpdateTrail (`name`), PutEventSelectors,
 *   PutInsightSelectors (`trailName`): any trail, since a stack using an existing trail cannot know it.
 * - CloudWatch Logs DeleteLogGroup (`logGroupName`), DeleteMetricFilter (`logGroupName`, `filterName`).
 * - CloudWatch DeleteAlarms, DisableAlarmActions (`alarmNames`, a list: any element).
 * - SNS Unsubscribe (`subscriptionArn`, `arn:…:<topic name>:<id>`).
 * - EventBridge DeleteRule, DisableRule (`name`), RemoveTargets (`rule`).
 * - Lambda DeleteFunction (recorded as `DeleteFunction20150331`; `functionName`, a name or an ARN).
 */
export function trailTamperingPattern(existingTrailLogGroupName?: string): string {
    const own = `"${COMPONENT_NAME}-*"`;
    const logGroup = existingTrailLogGroupName
        ? `($.requestParameters.logGroupName = ${own} || $.requestParameters.logGroupName = "${existingTrailLogGroupName}")`
        : `$.requestParameters.logGroupName = ${own}`;
    // Event names alone pick the service: no other service has these, or none whose parameters name
    // this stack's resources. Leaving eventSource out keeps the pattern within CloudWatch's 1,024.
    return [
        '{ $.eventName = "StopLogging" || $.eventName = "DeleteTrail" || $.eventName = "UpdateTrail" || $.eventName = "PutEventSelectors" || $.eventName = "PutInsightSelectors"',
        ` || ($.eventName = "DeleteLogGroup" && ${logGroup})`,
        ` || ($.eventName = "DeleteMetricFilter" && $.requestParameters.filterName = ${own})`,
        ` || (($.eventName = "DeleteAlarms" || $.eventName = "DisableAlarmActions") && $.requestParameters.alarmNames[*] = ${own})`,
        ` || ($.eventName = "Unsubscribe" && $.requestParameters.subscriptionArn = "arn:*:${COMPONENT_NAME}-*")`,
        ` || (($.eventName = "DeleteRule" || $.eventName = "DisableRule") && $.requestParameters.name = ${own})`,
        ` || ($.eventName = "RemoveTargets" && $.requestParameters.rule = ${own})`,
        ` || ($.eventName = "DeleteFunction*" && $.requestParameters.functionName = "*${COMPONENT_NAME}-function-*")`,
        " }",
    ].join("");
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
    // The stack's own trail; a stack using an existing trail gets the pattern naming its log group.
    "trail-tampering": {
        id: "trail-tampering",
        title: "CloudTrail or alerting tampered with",
        pattern: trailTamperingPattern(),
        severity: "critical",
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
