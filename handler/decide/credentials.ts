/**
 * What an IAM Identity Center UserAuthentication record says of MFA (IAM Identity Center User
 * Guide, "Understanding sign-in events"): `additionalEventData.CredentialType` lists every
 * credential verified in the sign-in, comma-separated — PASSWORD, TOTP, WEBAUTHN, EXTERNAL_IDP,
 * RESYNC_TOTP.
 */
import type { CloudTrailRecord, IdentityCenterMfa } from "../common/types";

// A second factor is anything but the password and an external identity provider (which decides
// MFA itself, out of sight of this trail).
const FIRST_FACTORS: readonly string[] = ["PASSWORD", "EXTERNAL_IDP"];

/** The MFA of a UserAuthentication record; undefined for other records and for an external IdP's sign-in, whose MFA is unknown here. */
export function identityCenterMfaOf(record: CloudTrailRecord & { eventTime: string }): IdentityCenterMfa | undefined {
    const types = record.additionalEventData?.["CredentialType"];
    if (record.eventName !== "UserAuthentication" || typeof types !== "string") {
        return undefined;
    }
    const methods = types
        .split(",")
        .map((t) => t.trim())
        .filter((t) => t);
    if (methods.length === 0 || methods.every((m) => m === "EXTERNAL_IDP")) {
        return undefined;
    }
    return { methods, usedMfa: methods.some((m) => !FIRST_FACTORS.includes(m)), at: new Date(record.eventTime) };
}
