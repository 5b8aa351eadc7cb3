/**
 * First-seen: per principal, its sign-ins and the networks, browser families and regions they came
 * from, and how a sign-in compares with them. Pure: the history is read before a batch is posted and written
 * after (handler/state/history.ts), so what a message says never depends on the message itself.
 *
 * Each value keeps its first sighting and its recent ones — every sighting of the last
 * RECENT_MS before its latest, and the one just before them — each with its event id. Judging a
 * sign-in looks for the latest sighting at or before it that is not the sign-in itself. So a
 * sign-in judged again — by a second rule that posts it, by a redelivery, by the other path — is
 * judged the same way, learning it twice changes nothing, and a sign-in the backstop posts after
 * later ones of the same principal (EventBridge dropped it; CloudTrail delivered it late) still
 * finds the sighting before it, as long as it is no more than RECENT_MS older than the latest.
 */
import ipaddr from "ipaddr.js";
import { boundedText } from "./boundedText";
import { userAgentClient, userAgentFamily } from "./userAgent";
import type { FirstSeenMark, SignIn } from "../common/types";
import { isPlainAddress } from "../../shared/allowList";

/** Sightings of one network, browser family or region (or of the principal at all). Times in epoch ms. */
export interface Sightings {
    first: Sighting;
    /** Oldest first: every sighting within RECENT_MS of the latest (the last element), and the one before them. */
    recent: Sighting[];
}

export interface Sighting {
    atMs: number;
    /** The event's id, bounded ({@link sightingId}). */
    eventId: string;
}

// A real eventID is a 36-character UUID; a forged one can be a log event long, and a history keeps
// it in up to eight places, so a long one is kept by its hash and the item stays far below 400 KB.
const SIGHTING_ID_BYTES_MAX = 64;

/** The id a sighting keeps of an event. */
function sightingId(eventId: string): string {
    return boundedText(eventId, SIGHTING_ID_BYTES_MAX);
}

export type Dimension = "networks" | "agents" | "regions";
// In the order the history stores and the message shows them.
export const DIMENSIONS: readonly Dimension[] = ["networks", "agents", "regions"];

/** One principal's history, as stored (JSON) under `history#<principal key>`. */
export interface PrincipalHistory {
    /** The principal's sign-ins themselves, whatever they came from. */
    any: Sightings;
    networks: Record<string, Sightings>;
    agents: Record<string, Sightings>;
    regions: Record<string, Sightings>;
}

// A roaming principal (a phone on mobile networks) could grow its history without bound; past this
// many values per dimension the least recently seen are dropped, which can only make a later
// sign-in from them read as new, never hide one.
export const MAX_VALUES_PER_DIMENSION = 200;

const DAY_MS = 24 * 3600 * 1000;

// How far out of order a sign-in may be judged exactly: the backstop posts what EventBridge dropped
// minutes later (CloudTrail's delivery, then a sweep), within the 60-minute lag allowance; a day
// leaves room for retries and redrives. Older than that, it is judged against the first sighting.
export const RECENT_MS = DAY_MS;
// A principal signing in all day (a shared role) keeps at most this many recent sightings a value.
export const MAX_RECENT = 50;

function latest(entry: Sightings): Sighting {
    return entry.recent[entry.recent.length - 1] ?? entry.first;
}

/** The sign-in's source network: an IPv4 /24 or IPv6 /48; undefined for "AWS Internal", host names and garbage. */
export function networkOf(sourceIp: string): string | undefined {
    // Addresses as the allow-list reads them; an IPv4-mapped IPv6 address is its IPv4 address.
    if (!isPlainAddress(sourceIp)) {
        return undefined;
    }
    const address = ipaddr.process(sourceIp);
    if (address.kind() === "ipv4") {
        // The /24: the first three octets (no CIDR to parse and mask, for every sign-in of a burst).
        const [a, b, c] = (address as ipaddr.IPv4).octets;
        return `${a}.${b}.${c}.0/24`;
    }
    return `${ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/48`).toString()}/48`;
}

/** The values a sign-in is judged on, per dimension; a dimension with no usable value is left out. */
export type SignInValues = Partial<Record<Dimension, string>>;

/** A sign-in's values (SignInValues); judge and learn take them read once, when a caller has them. */
export function valuesOf(signIn: SignIn): SignInValues {
    const network = networkOf(signIn.sourceIp);
    const agent = userAgentFamily(signIn.userAgent);
    const region = /^[a-z]{2}(-[a-z]+)+-\d$/.test(signIn.region) ? signIn.region : undefined;
    return { ...(network ? { networks: network } : {}), ...(agent ? { agents: agent } : {}), ...(region ? { regions: region } : {}) };
}

/** The latest sighting at or before `atMs` that is not the event itself. */
function priorSighting(entry: Sightings | undefined, eventId: string, atMs: number): number | undefined {
    if (!entry) {
        return undefined;
    }
    const id = sightingId(eventId);
    // A loop, not filter and map: every sign-in a batch marks asks this of up to four values.
    let prior: number | undefined;
    for (const s of entry.recent) {
        if (s.eventId !== id && s.atMs <= atMs && (prior === undefined || s.atMs > prior)) {
            prior = s.atMs;
        }
    }
    const first = entry.first;
    return first.eventId !== id && first.atMs <= atMs && (prior === undefined || first.atMs > prior) ? first.atMs : prior;
}

/**
 * What the history says of a sign-in: nothing (no other sign-in of the principal within the window
 * before it — the same as when DynamoDB's TTL has removed the item), or which of its values were
 * not seen within the window.
 */
export function judge(history: PrincipalHistory | undefined, signIn: SignIn, windowDays: number, read?: SignInValues): FirstSeenMark {
    const atMs = signIn.eventTime.getTime();
    const windowStart = atMs - windowDays * DAY_MS;
    const latest = priorSighting(history?.any, signIn.eventId, atMs);
    if (!history || latest === undefined || latest < windowStart) {
        return { noHistory: true, windowDays };
    }
    const mark: FirstSeenMark = { noHistory: false, windowDays };
    const values = read ?? valuesOf(signIn);
    const known = (dimension: Dimension, value: string) => {
        const prior = priorSighting(history[dimension][value], signIn.eventId, atMs);
        return prior !== undefined && prior >= windowStart;
    };
    if (values.networks && !known("networks", values.networks)) {
        mark.newNetwork = values.networks;
    }
    if (values.agents && !known("agents", values.agents)) {
        // The family is read from the same agent: when there is one, there is a client to name.
        const agent = userAgentClient(signIn.userAgent);
        if (agent) {
            mark.newAgent = agent;
        }
    }
    if (values.regions && !known("regions", values.regions)) {
        mark.newRegion = values.regions;
    }
    if (history.any.first.atMs > windowStart) {
        mark.historySince = new Date(history.any.first.atMs);
    }
    return mark;
}

/** One value's sightings with one more; a sighting already among them changes nothing. */
function sighted(entry: Sightings | undefined, s: Sighting): Sightings {
    if (!entry) {
        return { first: s, recent: [s] };
    }
    if (entry.first.eventId === s.eventId || entry.recent.some((known) => known.eventId === s.eventId)) {
        return entry;
    }
    const all = [...entry.recent, s].sort((a, b) => a.atMs - b.atMs);
    const newest = all[all.length - 1]!.atMs;
    // Every sighting of the recent span, and the latest one before it.
    const inSpan = all.findIndex((x) => x.atMs >= newest - RECENT_MS);
    const recent = all.slice(Math.max(0, inSpan - 1)).slice(-MAX_RECENT);
    return { first: s.atMs < entry.first.atMs ? s : entry.first, recent };
}

/** Keeps the values seen since `oldestMs`, and at most MAX_VALUES_PER_DIMENSION of them, latest first. */
function pruned(values: Record<string, Sightings>, oldestMs: number): Record<string, Sightings> {
    const kept = Object.entries(values)
        .filter(([, entry]) => latest(entry).atMs >= oldestMs)
        .sort(([, a], [, b]) => latest(b).atMs - latest(a).atMs)
        .slice(0, MAX_VALUES_PER_DIMENSION);
    return Object.fromEntries(kept);
}

/**
 * The history with a successful sign-in learned. Values not seen in the window before the
 * principal's latest sign-in are forgotten: measured in event time, not the clock, so a batch of
 * old events (a backstop catching up) teaches the same as when it happened.
 */
export function learn(history: PrincipalHistory | undefined, signIn: SignIn, windowDays: number, read?: SignInValues): PrincipalHistory {
    const s: Sighting = { atMs: signIn.eventTime.getTime(), eventId: sightingId(signIn.eventId) };
    const next: PrincipalHistory = {
        any: sighted(history?.any, s),
        networks: { ...history?.networks },
        agents: { ...history?.agents },
        regions: { ...history?.regions },
    };
    const values = read ?? valuesOf(signIn);
    for (const dimension of DIMENSIONS) {
        const value = values[dimension];
        if (value !== undefined) {
            next[dimension][value] = sighted(next[dimension][value], s);
        }
    }
    const oldestMs = latest(next.any).atMs - windowDays * DAY_MS;
    for (const dimension of DIMENSIONS) {
        next[dimension] = pruned(next[dimension], oldestMs);
    }
    return next;
}

/** The history a sign-in is judged against: its principal's, for console sign-ins; undefined for anything else. */
export function historyKeyOf(signIn: SignIn): string | undefined {
    return signIn.eventName === "ConsoleLogin" ? signIn.principalKey : undefined;
}

/** Whether a sign-in teaches the history: a successful console sign-in of a known principal. Failures are marked, never learned. */
export function teaches(signIn: SignIn): boolean {
    return historyKeyOf(signIn) !== undefined && signIn.result === "Success";
}

/** The network a sign-in came from when it is new for a principal with a history; undefined otherwise. */
export function newNetworkOf(signIn: SignIn): string | undefined {
    return signIn.firstSeen && !signIn.firstSeen.noHistory ? signIn.firstSeen.newNetwork : undefined;
}

/**
 * Marks each sign-in that has a principal, in event-time order, against the stored histories and
 * the successful sign-ins before it in the same batch (which are learned as the batch goes, so the
 * second sign-in from a new network in one batch is not new again). The marks are set on the
 * sign-ins; returns the histories as the batch left them, each with its teaching sign-ins learned
 * (what the batch teaches once Slack has taken all of them).
 */
export function markAll(
    histories: ReadonlyMap<string, PrincipalHistory>,
    signIns: readonly SignIn[],
    windowDays: number,
): Map<string, PrincipalHistory> {
    const running = new Map(histories);
    const inOrder = [...signIns].sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime());
    for (const signIn of inOrder) {
        const key = historyKeyOf(signIn);
        if (key === undefined) {
            continue;
        }
        const values = valuesOf(signIn);
        signIn.firstSeen = judge(running.get(key), signIn, windowDays, values);
        if (teaches(signIn)) {
            running.set(key, learn(running.get(key), signIn, windowDays, values));
        }
    }
    return running;
}

/** When the history item may expire: a window after its latest sighting, when nothing in it can make a sign-in known. */
export function historyExpiresAt(history: PrincipalHistory, windowDays: number): number {
    return Math.ceil((latest(history.any).atMs + windowDays * DAY_MS) / 1000);
}
