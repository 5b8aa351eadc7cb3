/**
 * Who acted, read from a CloudTrail record's userIdentity: the principal's name in parts (worded
 * by the message catalog), the person and permission set of an IAM Identity Center session, and
 * whose first-seen history a sign-in is.
 */
import { identityCenterMfaOf } from "./credentials";
import type { CloudTrailRecord, IdentityStoreUser, PrincipalName, SignIn } from "../common/types";

// CloudTrail's stand-in for the user name of a failed sign-in with an unknown user name.
export const HIDDEN_USER = "HIDDEN_DUE_TO_SECURITY_REASONS";

// IAM Identity Center makes one role per permission set and account, named
// AWSReservedSSO_<permission set>_<16 hex digits> (IAM Identity Center User Guide, "Service-linked
// roles" / "Permission sets"); its session name is the person's Identity Center user name.
const IDENTITY_CENTER_ROLE = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/;

type UserIdentity = NonNullable<CloudTrailRecord["userIdentity"]>;

/**
 * A role session's role (the session issuer's name, else the ARN's) and session name, from
 * arn:aws:sts::111122223333:assumed-role/ROLE/SESSION; for SSO and SAML the session is the person.
 */
function assumedRoleOf(identity: UserIdentity): { role: string | undefined; session: string | undefined } {
    const parts = (identity.arn ?? "").split(":assumed-role/")[1]?.split("/");
    return {
        role: identity.sessionContext?.sessionIssuer?.userName ?? parts?.[0],
        session: parts && parts.length > 1 ? parts.slice(1).join("/") : undefined,
    };
}

/** The person and permission set of an IAM Identity Center role session; undefined for any other principal. */
function identityCenterSession(identity: UserIdentity | undefined): { person: string; permissionSet: string } | undefined {
    if (identity?.type !== "AssumedRole") {
        return undefined;
    }
    const { role, session: person } = assumedRoleOf(identity);
    const permissionSet = IDENTITY_CENTER_ROLE.exec(role ?? "")?.[1];
    return permissionSet && person ? { person, permissionSet } : undefined;
}

/**
 * The IAM Identity Center user a record names: `userIdentity.onBehalfOf` holds the user's id, unique
 * and immutable within its identity store, and that store's ARN (AWS CloudTrail User Guide,
 * "CloudTrail userIdentity element"; IAM Identity Center User Guide, "CloudTrail use cases for IAM
 * Identity Center"). Both or nothing: a user id means nothing outside its store.
 */
export function identityStoreUserOf(identity: UserIdentity | undefined): IdentityStoreUser | undefined {
    const { userId, identityStoreArn } = identity?.onBehalfOf ?? {};
    return userId && identityStoreArn ? { userId, identityStoreArn } : undefined;
}

/** Who acted, in parts: user name, root, the person of an Identity Center session, or role and session. */
export function principalNameOf(record: CloudTrailRecord): PrincipalName {
    const identity = record.userIdentity ?? {};
    const named = (name: string | undefined): PrincipalName =>
        name ? { kind: "name", name } : { kind: "unknown", ...(identity.type ? { identityType: identity.type } : {}) };
    switch (identity.type) {
        case "Root":
            return { kind: "root" };
        case "IAMUser":
            return identity.userName === HIDDEN_USER
                ? { kind: "hidden-user" }
                : named(identity.userName ?? identity.arn ?? identity.principalId);
        case "AssumedRole": {
            const sso = identityCenterSession(identity);
            if (sso) {
                return { kind: "name", name: sso.person };
            }
            const { role, session } = assumedRoleOf(identity);
            return session && role ? { kind: "role-session", session, role } : named(identity.arn ?? role ?? identity.principalId);
        }
        case "FederatedUser": {
            // arn:aws:sts::111122223333:federated-user/carol
            const user = (identity.arn ?? "").split(":federated-user/")[1];
            return user ? { kind: "federated", name: user } : named(identity.arn ?? identity.principalId);
        }
        default:
            return named(identity.userName ?? identity.arn ?? identity.principalId ?? identity.invokedBy);
    }
}

export function roleNameOf(record: CloudTrailRecord): string | undefined {
    const identity = record.userIdentity;
    return identity?.type === "AssumedRole" ? assumedRoleOf(identity).role : undefined;
}

/**
 * Whose first-seen history a sign-in belongs to: the account, the principal's type, and for role
 * sessions the issuer and the session name (the person), since one role serves many people.
 * Console sign-ins only; failures have one too (they are marked, never learned from).
 */
export function principalKeyOf(record: CloudTrailRecord): string | undefined {
    const identity = record.userIdentity;
    if (record.eventName !== "ConsoleLogin" || !identity?.type) {
        return undefined;
    }
    const account = record.recipientAccountId ?? identity.accountId ?? "";
    const who = identity.type === "Root" ? "root" : identity.type === "IAMUser" ? identity.userName : identity.arn;
    if (!account || !who || who === HIDDEN_USER) {
        return undefined;
    }
    const issuer = identity.sessionContext?.sessionIssuer?.arn;
    return [account, identity.type, issuer, who].filter((part) => part).join("|");
}

/** The sign-in's Identity Center facts and history key, only where they apply. */
export function personOf(record: CloudTrailRecord & { eventTime: string }): Partial<SignIn> {
    const sso = identityCenterSession(record.userIdentity);
    const principalKey = principalKeyOf(record);
    // Identity Center's own sign-in event names the person and says which credentials they used.
    const mfa = identityCenterMfaOf(record);
    const person = sso?.person ?? (record.eventName === "UserAuthentication" ? record.userIdentity?.userName : undefined);
    const storeUser = sso ? identityStoreUserOf(record.userIdentity) : undefined;
    return {
        ...(person ? { person } : {}),
        ...(sso ? { permissionSet: sso.permissionSet } : {}),
        ...(storeUser ? { identityStoreUser: storeUser } : {}),
        ...(mfa ? { identityCenterMfa: mfa } : {}),
        ...(principalKey ? { principalKey } : {}),
    };
}
