/**
 * The MFA of IAM Identity Center sign-ins. A console sign-in through an Identity Center role
 * always says MFAUsed "No": the person authenticated to Identity Center, not to this account. When
 * the same trail holds Identity Center's own sign-in events (an organization trail does), the
 * person's last `UserAuthentication` before the console sign-in says which credentials they used.
 *
 * IAM Identity Center User Guide, "Understanding sign-in events": a UserAuthentication event is
 * logged only when every challenge succeeded; `additionalEventData.CredentialType` lists every
 * credential verified in the sign-in, comma-separated (PASSWORD, TOTP, WEBAUTHN, EXTERNAL_IDP,
 * RESYNC_TOTP); `serviceEventDetails.UserAuthentication` is "Success".
 *
 * Whose authentication it was is read from `userIdentity.onBehalfOf` (user id and identity store
 * ARN), never from a user name: IAM Identity Center User Guide, "Username in sign-in CloudTrail
 * events", recommends the id and store, and emits `additionalEventData.UserName` in
 * UserAuthentication only for an external IdP's sign-in; AWS Security Blog, "Important changes to
 * CloudTrail events for AWS IAM Identity Center", drops `userIdentity.userName` from these events.
 * A name is also not unique across identity stores, and the session name of the console sign-in is
 * chosen by Identity Center from that name. A console sign-in whose record names no identity store
 * user (AWS CloudTrail User Guide, "CloudTrail userIdentity element": `onBehalfOf` is optional)
 * cannot be joined to an authentication, so its MFA stays unknown.
 */
import { identityCenterMfaOf } from "../decide/credentials";
import { log } from "../common/log";
import { parseCloudTrailRecord } from "../decide/parse";
import { identityStoreUserOf } from "../decide/principal";
import type { RuleRun } from "./ruleRun";
import type { IdentityCenterMfa, IdentityStoreUser, LogEvent, SignIn, TimeWindow } from "../common/types";

export const IDENTITY_CENTER_AUTH_PATTERN =
    '{ ($.eventName = "UserAuthentication") && ($.serviceEventDetails.UserAuthentication = "Success") }';

// An access portal session lasts 8 hours by default (up to 7 days when configured); a person's
// console sign-ins within the default session come from one authentication.
export const AUTHENTICATION_LOOKBACK_MS = 12 * 3600 * 1000;
// A log event's timestamp is not always its record's eventTime (DataBiosphere/azul#5247, "@timestamp
// field in CloudTrail events in CloudWatch is unreliable"), so the read runs this far past the last
// sign-in. It only widens what is read: what is taken is decided by eventTime alone (attachMfa).
export const READ_PAST_SIGN_IN_MS = 60 * 1000;
// The lookup only adds detail: it never takes more than this from the invocation.
export const LOOKUP_BUDGET_MS = 5000;
export const LOOKUP_MAX_PAGES = 3;

/** The identity store user and MFA of one UserAuthentication record; undefined for anything else, or for an external IdP's sign-in. */
export function authenticationOf(message: string): { user: IdentityStoreUser; mfa: IdentityCenterMfa } | undefined {
    const parsed = parseCloudTrailRecord(message);
    const user = parsed.ok ? identityStoreUserOf(parsed.value.userIdentity) : undefined;
    const mfa = parsed.ok ? identityCenterMfaOf(parsed.value) : undefined;
    return user && mfa ? { user, mfa } : undefined;
}

/**
 * The window's authentications, and whether it was read to its end. FilterLogEvents returns the
 * oldest events first and cannot be asked for the newest (CloudWatch Logs API Reference,
 * "FilterLogEvents"), so a read cut short by the page cap or the time budget lacks exactly the
 * authentications closest to the sign-in.
 */
async function authenticationEvents(run: RuleRun, window: TimeWindow): Promise<{ events: LogEvent[]; complete: boolean }> {
    const { aws, settings, clock } = run.deps;
    const deadlineMs = Math.min(run.deadlineMs, clock.now() + LOOKUP_BUDGET_MS);
    const events: LogEvent[] = [];
    for (let page = 0, nextToken: string | undefined; page < LOOKUP_MAX_PAGES && clock.now() < deadlineMs; page++) {
        const out = await aws.filterLogEventsPage(settings.trailLogGroupName, IDENTITY_CENTER_AUTH_PATTERN, window, nextToken, deadlineMs);
        events.push(...out.events);
        nextToken = out.nextToken;
        if (!nextToken) {
            return { events, complete: true };
        }
    }
    return { events, complete: false };
}

const sameUser = (a: IdentityStoreUser, b: IdentityStoreUser): boolean =>
    a.userId === b.userId && a.identityStoreArn === b.identityStoreArn;

/**
 * Each Identity Center sign-in that names its identity store user gets the MFA of that user's
 * latest authentication at or before it, when `events` hold one. One made after the sign-in did not
 * lead to it; CloudTrail's eventTime is in whole seconds, so the same second counts.
 */
export function attachMfa(signIns: readonly SignIn[], events: readonly LogEvent[]): void {
    const authentications = events.flatMap((e) => authenticationOf(e.message) ?? []);
    for (const signIn of signIns) {
        const user = signIn.identityStoreUser;
        const at = signIn.eventTime.getTime();
        const latest = authentications
            .filter((a) => user !== undefined && sameUser(a.user, user) && a.mfa.at.getTime() <= at)
            .sort((a, b) => b.mfa.at.getTime() - a.mfa.at.getTime())[0];
        if (latest) {
            signIn.identityCenterMfa = latest.mfa;
        }
    }
}

/**
 * Looks up the Identity Center authentications behind the batch's Identity Center sign-ins. Detail
 * only: a failed, slow or unfinished lookup leaves the sign-ins without it (the message then says
 * the MFA is unknown, never "No" or "Yes").
 */
export async function addIdentityCenterMfa(run: RuleRun, signIns: readonly SignIn[]): Promise<void> {
    const sso = signIns.filter((s) => s.identityStoreUser !== undefined && s.eventName === "ConsoleLogin");
    if (sso.length === 0) {
        return;
    }
    const times = sso.map((s) => s.eventTime.getTime());
    const window = { startMs: Math.min(...times) - AUTHENTICATION_LOOKBACK_MS, endMs: Math.max(...times) + READ_PAST_SIGN_IN_MS };
    try {
        const { events, complete } = await authenticationEvents(run, window);
        if (complete) {
            attachMfa(sso, events);
        } else {
            log("warn", "the Identity Center authentications were not read to the sign-in; posting without their MFA", {
                rule: run.rule.id,
                found: events.length,
            });
        }
    } catch (err) {
        log("warn", "could not look up Identity Center authentications; posting without their MFA", {
            rule: run.rule.id,
            error: (err as Error).message,
        });
    }
}
