import { defineRule } from "./definition";

/**
 * Failed sign-ins with an unknown user name carry "No username found in supplied account" instead
 * of "Failed authentication"; matching the Failure response catches both.
 */
export const signinFailures = defineRule({
    id: "signin-failures",
    severity: "high",
    titles: { en: "Failed console sign-in", ja: "コンソールサインインの失敗" },
    summary: {
        en: "Failed console sign-ins, including unknown user names.",
        ja: "パスワード誤りや存在しないユーザー名によるサインインの失敗。短時間に続く場合は総当たりを疑います。",
    },
    pattern: '{ ($.eventName = "ConsoleLogin") && ($.eventType = "AwsConsoleSignIn") && ($.responseElements.ConsoleLogin = "Failure") }',
    // Security Hub CloudWatch.6 matches "Failed authentication" only, so an unknown user name goes unreported.
    cis: {
        pattern: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
        matches: ["failure-wrong-password"],
    },
    examples: {
        matches: ["failure-wrong-password", "failure-unknown-user"],
        nearMisses: ["iam-user-mfa", "iam-user-no-mfa", "sso-authentication-password-only"],
    },
});
