import { defineRule } from "./definition";

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

export const ssoSigninWithoutMfa = defineRule({
    id: "sso-signin-without-mfa",
    severity: "high",
    titles: { en: "IAM Identity Center sign-in without MFA", ja: "MFA なしの IAM Identity Center サインイン" },
    summary: {
        en: "IAM Identity Center sign-in that verified only a password (`CredentialType` exactly `PASSWORD`); external identity providers decide MFA and are not flagged.",
        ja: "Identity Center へのサインインでパスワードしか使われていません（外部 IdP 経由は対象外）。MFA の必須化を確認してください。",
    },
    pattern: SSO_SIGNIN_WITHOUT_MFA_PATTERN,
    examples: {
        matches: ["sso-authentication-password-only"],
        // A second factor, an external identity provider (which decides MFA itself), or the account sign-in that follows.
        nearMisses: ["sso-authentication-totp", "sso-authentication-external-idp", "sso-assumed-role"],
    },
});
