import { defineRule } from "./definition";

/**
 * Federated and IAM Identity Center sign-ins are AssumedRole with MFAUsed "No" even when the
 * identity provider enforced MFA, so only IAM users and root are judged here.
 */
export const signinWithoutMfa = defineRule({
    id: "signin-without-mfa",
    severity: "high",
    titles: { en: "Console sign-in without MFA", ja: "MFA なしのコンソールサインイン" },
    summary: {
        en: "Successful sign-in by an IAM user or root without MFA. Federated and IAM Identity Center sign-ins (`AssumedRole`, always `MFAUsed: No`) are not flagged: their identity provider enforces MFA.",
        ja: "IAM ユーザーか root が MFA なしでサインインしました。本人に確認し、MFA を必須にしてください。フェデレーションと IAM Identity Center のサインインは、ID プロバイダーが MFA を判断するため対象外です。",
    },
    pattern:
        '{ ($.eventName = "ConsoleLogin") && ($.eventType = "AwsConsoleSignIn") && ($.responseElements.ConsoleLogin = "Success") && ($.additionalEventData.MFAUsed != "Yes") && (($.userIdentity.type = "IAMUser") || ($.userIdentity.type = "Root")) }',
    // Security Hub CloudWatch.3: IAM users only; root-activity still reports root.
    cis: {
        pattern:
            '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
        matches: ["iam-user-no-mfa"],
    },
    examples: {
        // A root sign-in without MFA is both a sign-in without MFA and root activity.
        matches: ["iam-user-no-mfa", "root-no-mfa"],
        nearMisses: ["iam-user-mfa", "sso-assumed-role", "saml-federation", "failure-wrong-password"],
    },
});
