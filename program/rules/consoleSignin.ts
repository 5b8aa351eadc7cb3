import { defineRule } from "./definition";

/** The original design's pattern: console sign-ins of IAM users who used MFA. */
export const ORIGINAL_SIGNIN_PATTERN =
    '{ ($.userIdentity.type = "IAMUser") && ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed = "Yes") && ($.eventType = "AwsConsoleSignIn") }';

export const consoleSignin = defineRule({
    id: "console-signin",
    severity: "info",
    titles: { en: "Console sign-in", ja: "コンソールサインイン" },
    summary: {
        en: "Console sign-ins of the audience the stack chooses (default: IAM users with MFA).",
        ja: "`console-signin` の対象のサインイン（既定は MFA を使った IAM ユーザー）。普段どおりのものか、人・時刻・送信元を確認します。",
    },
    pattern: ORIGINAL_SIGNIN_PATTERN,
    examples: {
        matches: ["iam-user-mfa", "mobile-console"],
        // Without MFA, not an IAM user, or a sign-in event that is no sign-in.
        nearMisses: [
            "iam-user-no-mfa",
            "root-mfa",
            "sso-assumed-role",
            "saml-federation",
            "switch-role",
            "exit-role",
            "check-mfa",
            "renew-role",
            "get-signin-token",
        ],
    },
});
