/**
 * The MFA of IAM Identity Center sign-ins. A console sign-in through an Identity Center role
 * always says MFAUsed "No": the person authenticated to Identity Center, not to this account. When
 * the same trail holds Identity Center's own sign-in events (an organization trail does), the
 * person's last `UserAuthentication` before the console sign-in says which credentials they used.
 *
 * IAM Identity Center User Guide, "Understanding sign-in events": a UserAuthentication event is
 * logged only when every challenge succeeded; `userIdentity.userName` is the Identity Center user
 * name (the role session's name); `additionalEventData.CredentialType` lists every credential
 * verified in the sign-in, comma-separated (PASSWORD, TOTP, WEBAUTHN, EXTERNAL_IDP, RESYNC_TOTP);
 * `serviceEventDetails.UserAuthentication` is "Success".
 */
import { identityCenterMfaOf } from "./credentials";
import { log } from "./log";
import { parseCloudTrailRecord } from "./parse";
import type { RuleRun } from "./sweepRun";
import type { IdentityCenterMfa, LogEvent, SignIn, TimeWindow } from "./types";

export const IDENTITY_CENTER_AUTH_PATTERN =
    '{ ($.eventName = "UserAuthentication") && ($.serviceEventDetails.UserAuthentication = "Success") }';

// An access portal session lasts 8 hours by default (up to 7 days when configured); a person's
// console sign-ins within the default session come from one authentication.
export const AUTHENTICATION_LOOKBACK_MS = 12 * 3600 * 1000;
// CloudTrail may record the authentication a little after the console sign-in it led to.
const CLOCK_SLACK_MS = 60 * 1000;
// The lookup only adds detail: it never takes more than this from the invocation.
const LOOKUP_BUDGET_MS = 5000;
const MAX_PAGES = 3;

/** The person and MFA of one UserAuthentication record; undefined for anything else, or for an external IdP's sign-in. */
export function authenticationOf(message: string): { person: string; mfa: IdentityCenterMfa } | undefined {
    const parsed = parseCloudTrailRecord(message);
    const person = parsed.ok ? parsed.value.userIdentity?.userName : undefined;
    const mfa = parsed.ok ? identityCenterMfaOf(parsed.value) : undefined;
    return person && mfa ? { person, mfa } : undefined;
}

async function authenticationEvents(run: RuleRun, window: TimeWindow): Promise<LogEvent[]> {
    const { aws, settings, clock } = run.deps;
    if (!aws.filterLogEventsPage) {
        return aws.filterLogEvents(settings.trailLogGroupName, IDENTITY_CENTER_AUTH_PATTERN, window);
    }
    const deadlineMs = Math.min(run.deadlineMs, clock.now() + LOOKUP_BUDGET_MS);
    const events: LogEvent[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES && clock.now() < deadlineMs; page++) {
        const out = await aws.filterLogEventsPage(settings.trailLogGroupName, IDENTITY_CENTER_AUTH_PATTERN, window, nextToken, deadlineMs);
        events.push(...out.events);
        nextToken = out.nextToken;
        if (!nextToken) {
            break;
        }
    }
    return events;
}

/** Each Identity Center sign-in gets the MFA of its person's latest authentication before it, when the trail holds one. */
export function attachMfa(signIns: readonly SignIn[], events: readonly LogEvent[]): void {
    const authentications = events.flatMap((e) => authenticationOf(e.message) ?? []);
    for (const signIn of signIns) {
        const before = signIn.eventTime.getTime() + CLOCK_SLACK_MS;
        const latest = authentications
            .filter((a) => a.person.toLowerCase() === signIn.person?.toLowerCase() && a.mfa.at.getTime() <= before)
            .sort((a, b) => b.mfa.at.getTime() - a.mfa.at.getTime())[0];
        if (latest) {
            signIn.identityCenterMfa = latest.mfa;
        }
    }
}

/**
 * Looks up the Identity Center authentications behind the batch's Identity Center sign-ins. Detail
 * only: a failed or slow lookup is logged and the sign-ins are posted without it (the message then
 * says the MFA is unknown, never "No").
 */
export async function addIdentityCenterMfa(run: RuleRun, signIns: readonly SignIn[]): Promise<void> {
    const sso = signIns.filter((s) => s.person !== undefined && s.eventName === "ConsoleLogin");
    if (sso.length === 0) {
        return;
    }
    const times = sso.map((s) => s.eventTime.getTime());
    const window = { startMs: Math.min(...times) - AUTHENTICATION_LOOKBACK_MS, endMs: Math.max(...times) + CLOCK_SLACK_MS };
    try {
        attachMfa(sso, await authenticationEvents(run, window));
    } catch (err) {
        log("warn", "could not look up Identity Center authentications; posting without their MFA", {
            rule: run.rule.id,
            error: (err as Error).message,
        });
    }
}
