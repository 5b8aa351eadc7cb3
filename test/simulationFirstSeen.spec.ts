/**
 * First-seen marks over a month of synthetic console sign-ins, through both delivery paths at once,
 * in virtual time, with the real handler: four principals (two IAM users, one of them without MFA,
 * an IAM user who signs in only on the first and the last day, and an IAM Identity Center person)
 * sign in from a few IPv4 and IPv6 networks, browsers and regions, sometimes twice within minutes,
 * sometimes failing. EventBridge brings most sign-ins within seconds and drops some, which only the
 * CloudWatch Logs backstop brings; an IAM user's sign-in without MFA is posted by two rules, a failure
 * too. The month is December, 31 days, so that the 30-day window lets values, and a whole history,
 * expire on its last day.
 *
 * Every posted sign-in section is then compared with a brute-force oracle. Its order is the order in
 * which sign-ins were learned, which is the order Slack took them: the history is written only after
 * Slack took a message, and a batch is judged in event-time order, learning as it goes, as a message
 * lists its sign-ins. So a section's expected mark is judged against every successful console
 * sign-in of the same principal that Slack took before it (in an earlier message, or earlier in the
 * same message, under any rule), at or before it in event time and within the window before it:
 * none there is "no history yet"; else each of its network (IPv4 /24, IPv6 /48), browser family and
 * region not among them is new, and "since" the principal's first such sign-in when that is within
 * the window. A sign-in the backstop posts after later sign-ins of its principal were posted is
 * judged the same way: those later ones say nothing of it. The line is rendered by the catalog's own
 * functions, as handler/decide/messages.ts renders it.
 */
import { strict as assert } from "assert";
import { BUILT_IN_RULES, type DeployTimeRule } from "../program/rules";
import { networkOf } from "../handler/decide/firstSeen";
import { userAgentClient, userAgentFamily } from "../handler/decide/userAgent";
import { EN } from "../handler/decide/catalog/en";
import { eventDateFormatter, literal } from "../handler/decide/messages";
import type { FirstSeenMark } from "../handler/common/types";
import { readPostedMessage, runSimulation, seededRandom, tally, type SimulationResult, type TrailEvent } from "./support/alarmSimulator";
import { planEventBridge, type EventBridgeModel, type EventBridgePlan } from "./support/eventBridgeSimulator";
import { cloudTrailFixtures } from "../tools/fixtures";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTH_START = Date.UTC(2026, 11, 1);
const MONTH_DAYS = 31;
const WINDOW_DAYS = 30;
const SEED = 20261201;
/** CloudTrail to CloudWatch Logs: uniform between these. */
const LOGS_DELAY_MS = { min: 2 * MINUTE, max: 15 * MINUTE };
/** EventBridge: log-normal, median 3 s, 99th percentile 90 s; 4% of events never delivered. */
const EVENTBRIDGE: EventBridgeModel = { medianMs: 3000, p99Ms: 90_000, dropRate: 0.04 };
const TEMPLATES = new Map([...cloudTrailFixtures<TrailEvent["record"]>()].map(([name, f]) => [name, f.parsed]));

// console-signin as a stack that sets signInFilterPattern to take every console sign-in has it, so an
// IAM user's sign-in without MFA is posted by it and by signin-without-mfa, and a failure by it and
// by signin-failures.
const RULES: DeployTimeRule[] = [
    { ...BUILT_IN_RULES["console-signin"], pattern: '{ ($.eventName = "ConsoleLogin") && ($.eventType = "AwsConsoleSignIn") }' },
    BUILT_IN_RULES["signin-without-mfa"],
    BUILT_IN_RULES["signin-failures"],
];
const RAISED_HEADER = `:warning: ${EN.signIn.newNetworkTitle("Console sign-in")}`;

const CHROME_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36";
const EDGE_WINDOWS = `${CHROME_WINDOWS} Edg/125.0.0.0`;
const FIREFOX_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:126.0) Gecko/20100101 Firefox/126.0";
const CHROME_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36";
const MOBILE_APP = "aws-console-mobile/1.0 (iPhone; iOS 17.5)";

type Kind = "iam-mfa" | "iam-no-mfa" | "identity-center";

/** A principal's habits: the first network, browser and region of each list are the usual ones. */
interface Principal {
    name: string;
    kind: Kind;
    /** Address prefixes: "203.0.113." takes a host number, "2001:db8:1::" a hexadecimal one. */
    networks: readonly string[];
    agents: readonly string[];
    regions: readonly string[];
    /** Sign-ins drawn per day: 0 to twice this, evenly. */
    perDay: number;
    failureRate: number;
}

const OPS_ADMIN: Principal = {
    name: "ops-admin",
    kind: "iam-mfa",
    networks: ["203.0.113.", "2001:db8:1::", "198.51.100."],
    agents: [CHROME_WINDOWS, EDGE_WINDOWS],
    regions: ["us-east-1", "eu-west-1"],
    perDay: 1.5,
    failureRate: 0.1,
};
const DEV_READONLY: Principal = {
    name: "dev-readonly",
    kind: "iam-no-mfa",
    networks: ["198.51.100.", "2001:db8:2::"],
    agents: [FIREFOX_MAC, CHROME_MAC],
    regions: ["eu-west-1", "eu-central-1"],
    perDay: 1.5,
    failureRate: 0.15,
};
const ALICE: Principal = {
    name: "alice@example.com",
    kind: "identity-center",
    networks: ["192.0.2.", "2001:db8:3::", "203.0.113."],
    agents: [CHROME_MAC, MOBILE_APP],
    regions: ["ap-northeast-1", "us-east-1"],
    perDay: 1,
    failureRate: 0,
};
const BREAKGLASS: Principal = {
    name: "breakglass",
    kind: "iam-mfa",
    networks: ["198.51.100."],
    agents: [CHROME_WINDOWS],
    regions: ["us-east-1"],
    perDay: 0,
    failureRate: 0,
};
const PRINCIPALS = [OPS_ADMIN, DEV_READONLY, ALICE, BREAKGLASS];

/** One synthetic sign-in, as planned: what the oracle judges, independently of how the handler reads the record. */
interface Planned {
    id: string;
    principal: Principal;
    atMs: number;
    sourceIp: string;
    userAgent: string;
    region: string;
    success: boolean;
    /** CloudTrail's delay to CloudWatch Logs, when the scenario fixes it. */
    logsDelayMs?: number;
    /** EventBridge drops it, whatever its draw. */
    dropped?: boolean;
}

type Draw = Omit<Planned, "id">;

function addressIn(prefix: string, random: () => number): string {
    const host = 1 + Math.floor(random() * 250);
    return prefix.endsWith("::") ? `${prefix}${host.toString(16)}` : `${prefix}${host}`;
}

/** Mostly the usual value, sometimes any of the principal's. */
function habitual<T>(values: readonly T[], random: () => number): T {
    return (random() < 0.75 ? values[0] : values[Math.floor(random() * values.length)]) as T;
}

/** A day's sign-ins of one principal in working hours, some followed by a second one minutes later. */
function drawDay(p: Principal, dayStart: number, random: () => number): Draw[] {
    const count = Math.floor(random() * (2 * p.perDay + 1));
    const out: Draw[] = [];
    for (let i = 0; i < count; i++) {
        const draw: Draw = {
            principal: p,
            // Whole seconds, as CloudTrail's eventTime has them.
            atMs: dayStart + 7 * HOUR + Math.floor(random() * 11 * 3600) * 1000,
            sourceIp: addressIn(habitual(p.networks, random), random),
            userAgent: habitual(p.agents, random),
            region: habitual(p.regions, random),
            success: random() >= p.failureRate,
        };
        out.push(draw);
        if (random() < 0.2) {
            out.push({ ...draw, atMs: draw.atMs + 2 * MINUTE + Math.floor(random() * 600) * 1000, success: true });
        }
    }
    return out;
}

/**
 * Sign-ins the month must hold whatever the draws: a principal's whole history, a network and a
 * region expiring on the last day, and, twice, a sign-in from a new network that EventBridge drops,
 * followed within minutes by two from the usual network that it brings, so the backstop posts the
 * first after the later two were learned: on the 10th, when the principal's history is younger than
 * the window, and on the 31st, when it is older.
 */
function scripted(random: () => number): Draw[] {
    const at = (day: number, hours: number) => MONTH_START + (day - 1) * DAY + hours * HOUR;
    const draw = (p: Principal, atMs: number, prefix: string, extra: Partial<Draw> = {}): Draw => ({
        principal: p,
        atMs,
        sourceIp: addressIn(prefix, random),
        userAgent: p.agents[0]!,
        region: p.regions[0]!,
        success: true,
        ...extra,
    });
    const hotel = "2001:db8:77::";
    const draws = [
        draw(BREAKGLASS, at(1, 9), "198.51.100."),
        draw(BREAKGLASS, at(31, 10), "198.51.100."),
        draw(OPS_ADMIN, at(1, 6), hotel),
        draw(OPS_ADMIN, at(31, 16), hotel),
        draw(DEV_READONLY, at(1, 6.5), "198.51.100."),
        draw(ALICE, at(1, 6.75), "192.0.2."),
        draw(ALICE, at(31, 20), "192.0.2.", { region: "sa-east-1" }),
    ];
    for (const [day, network] of [
        [10, "192.0.2."],
        [31, "2001:db8:99::"],
    ] as const) {
        const first = draw(DEV_READONLY, at(day, 18), network, { logsDelayMs: 12 * MINUTE, dropped: true });
        draws.push(
            first,
            draw(DEV_READONLY, first.atMs + 3 * MINUTE, "198.51.100."),
            draw(DEV_READONLY, first.atMs + 6 * MINUTE, "198.51.100."),
        );
    }
    return draws;
}

const RECORD_TEMPLATE: Record<Kind, string> = {
    "iam-mfa": "iam-user-mfa",
    "iam-no-mfa": "iam-user-no-mfa",
    "identity-center": "sso-assumed-role",
};

/** The principal's userIdentity, from its fixture's, renamed. */
function identityOf(p: Principal, template: TrailEvent["record"]): Record<string, unknown> {
    const identity = template.userIdentity as Record<string, unknown>;
    if (p.kind === "identity-center") {
        const role = "AWSReservedSSO_AdministratorAccess_0123456789abcdef";
        return {
            ...identity,
            principalId: `AROAEXAMPLESSOADMIN01:${p.name}`,
            arn: `arn:aws:sts::111122223333:assumed-role/${role}/${p.name}`,
        };
    }
    return { ...identity, userName: p.name, arn: `arn:aws:iam::111122223333:user/${p.name}` };
}

/** The CloudTrail record of a planned sign-in: its principal's fixture (a failure's for a failure) with the plan's values. */
function recordOf(s: Planned): TrailEvent["record"] {
    const own = TEMPLATES.get(RECORD_TEMPLATE[s.principal.kind]);
    const template = s.success ? own : TEMPLATES.get("failure-wrong-password");
    assert.ok(own && template);
    return {
        ...structuredClone(template),
        userIdentity: identityOf(s.principal, own),
        eventID: s.id,
        eventTime: new Date(s.atMs).toISOString().replace(".000Z", "Z"),
        sourceIPAddress: s.sourceIp,
        userAgent: s.userAgent,
        awsRegion: s.region,
    } as TrailEvent["record"];
}

interface Month {
    signIns: Planned[];
    events: TrailEvent[];
    plan: EventBridgePlan;
    /** The scripted sign-ins EventBridge drops while it brings the next two of the principal. */
    outOfOrder: Set<string>;
}

/** The month's sign-ins, CloudTrail's delays, and EventBridge's deliveries and drops, the same on every run. */
function month(random: () => number): Month {
    const draws: Draw[] = [];
    for (let d = 0; d < MONTH_DAYS; d++) {
        for (const p of PRINCIPALS) {
            draws.push(...drawDay(p, MONTH_START + d * DAY, random));
        }
    }
    const all = [...draws, ...scripted(random)].sort((a, b) => a.atMs - b.atMs);
    const signIns = all.map((d, i): Planned => ({ ...d, id: `5e5e0000-0000-4000-8000-${String(i + 1).padStart(12, "0")}` }));
    const events = signIns.map((s) => {
        const lagMs = s.logsDelayMs ?? LOGS_DELAY_MS.min + Math.floor(random() * (LOGS_DELAY_MS.max - LOGS_DELAY_MS.min));
        return { record: recordOf(s), deliveredAtMs: s.atMs + lagMs };
    });
    const plan = planEventBridge(events, EVENTBRIDGE, random);
    const outOfOrder = new Set(signIns.filter((s) => s.dropped).map((s) => s.id));
    plan.deliveries = plan.deliveries.filter((d) => !outOfOrder.has(d.eventID));
    outOfOrder.forEach((id) => plan.dropped.add(id));
    return { signIns, events, plan, outOfOrder };
}

/** What the oracle compares a sign-in on: its network, browser family and region. */
function valuesOf(s: Planned): { network?: string; agent?: string; region: string } {
    const network = networkOf(s.sourceIp);
    const agent = userAgentFamily(s.userAgent);
    return { ...(network ? { network } : {}), ...(agent ? { agent } : {}), region: s.region };
}

/** What first-seen must say of `s`, from the successful sign-ins of its principal learned before it (brute force). */
function oracle(learned: readonly Planned[], s: Planned): FirstSeenMark {
    const prior = learned.filter((h) => h.principal === s.principal && h.id !== s.id && h.atMs <= s.atMs);
    const windowStart = s.atMs - WINDOW_DAYS * DAY;
    const inWindow = prior.filter((h) => h.atMs >= windowStart);
    if (inWindow.length === 0) {
        return { noHistory: true, windowDays: WINDOW_DAYS };
    }
    const mine = valuesOf(s);
    const seen = inWindow.map(valuesOf);
    const mark: FirstSeenMark = { noHistory: false, windowDays: WINDOW_DAYS };
    if (mine.network && !seen.some((v) => v.network === mine.network)) {
        mark.newNetwork = mine.network;
    }
    if (mine.agent && !seen.some((v) => v.agent === mine.agent)) {
        mark.newAgent = userAgentClient(s.userAgent);
    }
    if (!seen.some((v) => v.region === mine.region)) {
        mark.newRegion = mine.region;
    }
    const first = Math.min(...prior.map((h) => h.atMs));
    if (first > windowStart) {
        mark.historySince = new Date(first);
    }
    return mark;
}

const formatDate = eventDateFormatter("UTC", "en");

/** The first-seen line of a mark, by the catalog's own functions; undefined when it says nothing. */
function lineOf(s: Planned, mark: FirstSeenMark): string | undefined {
    const who = literal(s.principal.name);
    if (mark.noHistory) {
        return EN.signIn.noHistory(who);
    }
    const agent = mark.newAgent && (mark.newAgent.os ? EN.signIn.browserOn(mark.newAgent.client, mark.newAgent.os) : mark.newAgent.client);
    const what = {
        network: mark.newNetwork === undefined ? undefined : literal(mark.newNetwork, 64),
        agent: agent === undefined ? undefined : literal(agent, 80),
        region: mark.newRegion === undefined ? undefined : literal(mark.newRegion, 40),
    };
    if (what.network === undefined && what.agent === undefined && what.region === undefined) {
        return undefined;
    }
    const window = mark.historySince ? { since: formatDate(mark.historySince) } : { days: mark.windowDays };
    return EN.signIn.firstSeen(who, what, window);
}

/** One sign-in section of a message Slack took, in the order Slack took them. */
interface Section {
    post: number;
    atMs: number;
    ruleId: string;
    header: string;
    eventId: string;
    /** The section's first-seen line, if it has one. */
    line: string | undefined;
    /** The "Also: …" line naming the other rules the event matches, if it has one. */
    also: string | undefined;
    path: "fast" | "backstop";
}

/** Every sign-in section Slack took: the rule from the header, the event from the link, the line after the first. */
function sectionsOf(result: SimulationResult): Section[] {
    const accepted = result.slack.posts.filter((p) => p.status >= 200 && p.status < 300);
    return accepted.flatMap((post, i) => {
        const payload = post.payload as { blocks: Array<{ type: string; text?: { text: string } }> };
        const header = payload.blocks.find((b) => b.type === "header")?.text?.text ?? "";
        const ruleId = readPostedMessage(payload, result.rules, post.atMs).ruleId;
        assert.ok(ruleId, `no rule for the header "${header}"`);
        return payload.blocks.flatMap((b) => {
            const text = b.type === "section" ? (b.text?.text ?? "") : "";
            const link = /#\/events\/([^|>]+)\|View in CloudTrail>/.exec(text);
            if (!link) {
                return [];
            }
            // After the first line: the first-seen line, if any, then the other rules the event matches
            // (one event, one message: handler/decide/overlap.ts), which first-seen does not judge.
            const [, line, ...more] = text.split("\n").filter((l, n) => n === 0 || !l.startsWith("Also: "));
            assert.deepEqual(more, [], text);
            const also = text.split("\n").find((l) => l.startsWith("Also: "));
            const path = text.includes("(CloudWatch Logs backstop)") ? ("backstop" as const) : ("fast" as const);
            return [{ post: i, atMs: post.atMs, ruleId, header, eventId: link[1]!, line, also, path }];
        });
    });
}

interface Judged {
    section: Section;
    signIn: Planned;
    /** A successful sign-in of its principal later in event time was learned before this section was posted. */
    afterLater: boolean;
    expected: FirstSeenMark;
    expectedLine: string | undefined;
}

/** Walks the sections in the order Slack took them, judging each by the oracle, learning each successful sign-in once taken. */
function judgeAll(sections: readonly Section[], byId: ReadonlyMap<string, Planned>): Judged[] {
    const learned: Planned[] = [];
    const isLearned = new Set<string>();
    return sections.map((section) => {
        const signIn = byId.get(section.eventId);
        assert.ok(signIn, `posted an unknown event ${section.eventId}`);
        const expected = oracle(learned, signIn);
        const afterLater = learned.some((h) => h.principal === signIn.principal && h.atMs > signIn.atMs);
        if (signIn.success && !isLearned.has(signIn.id)) {
            learned.push(signIn);
            isLearned.add(signIn.id);
        }
        return { section, signIn, afterLater, expected, expectedLine: lineOf(signIn, expected) };
    });
}

function describeMismatch(j: Judged): string {
    const s = j.signIn;
    return (
        `${j.section.ruleId} ${s.id} (${s.principal.name}, ${new Date(s.atMs).toISOString()}, ${s.success ? "success" : "failure"}, ` +
        `${s.sourceIp}, ${userAgentFamily(s.userAgent) ?? "?"}, ${s.region}, by the ${j.section.path} path at ${new Date(j.section.atMs).toISOString()}): ` +
        `posted ${JSON.stringify(j.section.line ?? null)}, expected ${JSON.stringify(j.expectedLine ?? null)}`
    );
}

describe("first-seen marks over a simulated month of sign-ins through both delivery paths, against a brute-force oracle", function () {
    // A month of virtual time through the alarm simulator: tens of seconds of real time.
    this.timeout(300_000);

    const MONTH = month(seededRandom(SEED));
    const byId = new Map(MONTH.signIns.map((s) => [s.id, s]));
    let result: SimulationResult;
    let judged: Judged[];
    let elapsedMs: number;

    before(async function () {
        const started = Date.now();
        result = await runSimulation({
            startMs: MONTH_START,
            endMs: Math.ceil((Math.max(...MONTH.events.map((e) => e.deliveredAtMs)) + 15 * MINUTE) / MINUTE) * MINUTE,
            events: MONTH.events,
            rules: RULES,
            timestamps: "delivery",
            deliveries: MONTH.plan.deliveries,
            settings: { language: "en", firstSeen: { days: WINDOW_DAYS, raiseOnNewNetwork: { "console-signin": "high" } } },
        });
        elapsedMs = Date.now() - started;
        judged = judgeAll(sectionsOf(result), byId);
    });

    it("posts every sign-in once, under the most urgent rule that matches it, by both paths, with no invocation failing", function () {
        const t = tally(result);
        assert.deepEqual(
            { missing: t.missing, unexpected: t.unexpected, duplicates: t.duplicates },
            { missing: [], unexpected: [], duplicates: 0 },
        );
        assert.equal(t.posted, t.expected);
        assert.deepEqual(result.lambda.deadLetters, []);
        assert.deepEqual(result.lambda.timedOut, []);
        assert.equal(judged.length, t.posted);
        const paths = new Set(judged.map((j) => j.section.path));
        assert.deepEqual([...paths].sort(), ["backstop", "fast"]);
        // Every event EventBridge dropped came by the backstop alone.
        assert.deepEqual(
            judged.filter((j) => MONTH.plan.dropped.has(j.signIn.id) && j.section.path !== "backstop").map((j) => j.section.eventId),
            [],
        );
    });

    it("marks every sign-in posted in event-time order for its principal exactly as the oracle does", function () {
        const inOrder = judged.filter((j) => !j.afterLater);
        const mismatches = inOrder.filter((j) => j.section.line !== j.expectedLine).map(describeMismatch);
        assert.deepEqual(mismatches, []);
    });

    it("marks every sign-in the backstop posted after later ones of its principal exactly as the oracle does", function () {
        const late = judged.filter((j) => j.afterLater);
        // The scripted ones at least: EventBridge dropped them and brought the two after them.
        assert.deepEqual(
            [...MONTH.outOfOrder].filter((id) => !late.some((j) => j.signIn.id === id)),
            [],
        );
        assert.ok(late.every((j) => j.section.path === "backstop"));
        const mismatches = late.filter((j) => j.section.line !== j.expectedLine).map(describeMismatch);
        assert.deepEqual(mismatches, []);
    });

    it("raises exactly the console-signin sign-ins from a network new to a principal with history", function () {
        for (const j of judged) {
            const raised = j.section.ruleId === "console-signin" && j.expected.newNetwork !== undefined && !j.expected.noHistory;
            assert.equal(j.section.header === RAISED_HEADER, raised, describeMismatch(j));
        }
    });

    it("posts a sign-in two rules match once, naming the other rule, with one first-seen line", function () {
        const named = judged.filter((j) => j.section.also !== undefined);
        assert.ok(named.length >= 20, `only ${named.length} sign-ins posted naming another rule`);
        const sections = new Map<string, number>();
        for (const j of judged) {
            sections.set(j.signIn.id, (sections.get(j.signIn.id) ?? 0) + 1);
        }
        assert.deepEqual(
            [...sections].filter(([, n]) => n > 1),
            [],
        );
    });

    it("holds every kind of mark, from sign-ins of every principal", function () {
        const bySignIn = new Map(judged.map((j) => [j.signIn.id, j]));
        const marks = [...bySignIn.values()].map((j) => j.expected);
        const count = (has: (m: FirstSeenMark) => unknown) => marks.filter(has).length;
        const kinds = {
            noHistory: count((m) => m.noHistory),
            newNetwork: count((m) => m.newNetwork),
            newBrowser: count((m) => m.newAgent),
            newRegion: count((m) => m.newRegion),
            nothingNew: count((m) => !m.noHistory && !m.newNetwork && !m.newAgent && !m.newRegion),
            inWindowDays: count((m) => !m.noHistory && (m.newNetwork || m.newAgent || m.newRegion) && !m.historySince),
        };
        const raised = new Set(judged.filter((j) => j.section.header === RAISED_HEADER).map((j) => j.signIn.id)).size;
        const mismatches = judged.filter((j) => j.section.line !== j.expectedLine).length;
        const fastFirst = new Set(judged.filter((j) => j.section.path === "fast").map((j) => j.signIn.id)).size;
        const late = judged.filter((j) => j.afterLater).length;
        console.log(
            `      first-seen over ${MONTH_DAYS} days (seed ${SEED}): ${PRINCIPALS.length} principals, ${MONTH.signIns.length} sign-ins ` +
                `(${MONTH.signIns.filter((s) => !s.success).length} failed, ${MONTH.plan.dropped.size} dropped by EventBridge), ` +
                `${judged.length} sections posted (${fastFirst} sign-ins by the fast path, ${late} sections after a later sign-in of the principal) | marks: no history ${kinds.noHistory}, ` +
                `new network ${kinds.newNetwork} (raised ${raised}), new browser ${kinds.newBrowser}, new region ${kinds.newRegion}, ` +
                `nothing new ${kinds.nothingNew}, "in ${WINDOW_DAYS} days" ${kinds.inWindowDays} | mismatches ${mismatches} | ${(elapsedMs / 1000).toFixed(1)} s`,
        );
        for (const [kind, n] of Object.entries(kinds)) {
            assert.ok(n >= 2, `only ${n} marks of kind ${kind}`);
        }
        assert.equal(bySignIn.size, MONTH.signIns.length);
        assert.deepEqual(new Set(MONTH.signIns.map((s) => s.principal)), new Set(PRINCIPALS));
        assert.ok(MONTH.plan.deliveries.length > MONTH.signIns.length / 2);
    });
});
