import { strict as assert } from "assert";
import {
    judge,
    learn,
    markAll,
    networkOf,
    valuesOf,
    MAX_RECENT as MAX_RECENT_SIGHTINGS,
    MAX_VALUES_PER_DIMENSION,
    type PrincipalHistory,
} from "../handler/decide/firstSeen";
import { userAgentClient, userAgentFamily } from "../handler/decide/userAgent";
import { parseCloudTrailRecord, toSignIn } from "../handler/decide/parse";
import { fixture } from "../tools/fixtures";
import type { FirstSeenMark, SignIn } from "../handler/common/types";

const DAY = 24 * 3600 * 1000;
const T0 = Date.parse("2026-11-01T00:00:00Z");
const CHROME_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36";
const FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0";

function signIn(id: string, atMs: number, overrides: Partial<SignIn> = {}): SignIn {
    return {
        eventId: id,
        principal: { kind: "name", name: "alice" },
        userName: "alice",
        identityType: "IAMUser",
        eventName: "ConsoleLogin",
        result: "Success",
        mfa: "Yes",
        sourceIp: "203.0.113.7",
        region: "us-east-1",
        eventTime: new Date(atMs),
        userAgent: CHROME_MAC,
        accountId: "111122223333",
        principalKey: "111122223333|IAMUser|alice",
        ...overrides,
    };
}

describe("first-seen: values a sign-in is judged on", function () {
    it("reduces a source address to its IPv4 /24 or IPv6 /48, and refuses what is not an address", function () {
        assert.equal(networkOf("203.0.113.7"), "203.0.113.0/24");
        assert.equal(networkOf("2001:db8:abcd:12::1"), "2001:db8:abcd::/48");
        assert.equal(networkOf("::ffff:198.51.100.20"), "198.51.100.0/24");
        for (const notAnAddress of ["AWS Internal", "signin.amazonaws.com", "10.1", "0x0a.0.0.1", "", "fe80::1%eth0"]) {
            assert.equal(networkOf(notAnAddress), undefined, notAnAddress);
        }
    });

    it("remembers the browser and system family, not the version", function () {
        assert.equal(userAgentFamily(CHROME_MAC), "Chrome on macOS");
        assert.equal(userAgentFamily(CHROME_MAC.replace("Chrome/125", "Chrome/126")), "Chrome on macOS");
        assert.equal(userAgentFamily(FIREFOX_WINDOWS), "Firefox on Windows");
        assert.equal(userAgentFamily("aws-console-mobile/1.0 (iPhone; iOS 17.5)"), "AWS Console Mobile App on iOS");
        assert.equal(userAgentFamily("aws-cli/2.15.0 Python/3.11"), undefined);
        assert.equal(userAgentFamily(""), undefined);
    });

    it("leaves out a region that is not a region name", function () {
        assert.deepEqual(valuesOf(signIn("e", T0, { region: "us-east-1" })), {
            networks: "203.0.113.0/24",
            agents: "Chrome on macOS",
            regions: "us-east-1",
        });
        assert.deepEqual(valuesOf(signIn("e", T0, { region: "<script>", sourceIp: "AWS Internal", userAgent: "curl/8" })), {});
    });
});

describe("first-seen: judging and learning", function () {
    const days = 90;

    it("says 'no history yet' for a principal's first sign-in, and for that sign-in judged again after it was learned", function () {
        const first = signIn("e1", T0);
        assert.deepEqual(judge(undefined, first, days), { noHistory: true, windowDays: 90 });
        const history = learn(undefined, first, days);
        assert.deepEqual(judge(history, first, days), { noHistory: true, windowDays: 90 });
    });

    it("marks each value not seen in the window, and says since when the history reaches when it is younger than the window", function () {
        const history = learn(undefined, signIn("e1", T0), days);
        const later = signIn("e2", T0 + 2 * DAY, { sourceIp: "198.51.100.9", userAgent: FIREFOX_WINDOWS, region: "ap-northeast-1" });
        assert.deepEqual(judge(history, later, days), {
            noHistory: false,
            windowDays: 90,
            newNetwork: "198.51.100.0/24",
            newAgent: { client: "Firefox", os: "Windows" },
            newRegion: "ap-northeast-1",
            historySince: new Date(T0),
        });
        assert.deepEqual(judge(history, signIn("e3", T0 + 3 * DAY), days), {
            noHistory: false,
            windowDays: 90,
            historySince: new Date(T0),
        });
    });

    it("forgets a network not seen for longer than the window, and says 'in 90 days' once the history is older than that", function () {
        let history = learn(undefined, signIn("e1", T0), days);
        history = learn(history, signIn("e2", T0 + 50 * DAY, { sourceIp: "198.51.100.9" }), days);
        const back = signIn("e3", T0 + 95 * DAY);
        assert.deepEqual(judge(history, back, days), { noHistory: false, windowDays: 90, newNetwork: "203.0.113.0/24" });
    });

    it("says 'no history' again after an absence longer than the window, as the item's TTL would", function () {
        const history = learn(undefined, signIn("e1", T0), days);
        assert.deepEqual(judge(history, signIn("e2", T0 + 91 * DAY), days), { noHistory: true, windowDays: 90 });
    });

    it("judges a redelivered or second-rule sign-in as it was judged the first time, and learning it twice changes nothing", function () {
        let history = learn(undefined, signIn("e1", T0), days);
        const fromNew = signIn("e2", T0 + DAY, { sourceIp: "198.51.100.9" });
        const before = judge(history, fromNew, days);
        history = learn(history, fromNew, days);
        assert.deepEqual(judge(history, fromNew, days), before);
        assert.deepEqual(learn(history, fromNew, days), history);
        // The next sign-in from that network is known.
        assert.equal(judge(history, signIn("e3", T0 + 2 * DAY, { sourceIp: "198.51.100.77" }), days).newNetwork, undefined);
    });

    it("marks the second sign-in from a new network in one batch as known, and a failure never teaches", function () {
        const history = new Map<string, PrincipalHistory>([["111122223333|IAMUser|alice", learn(undefined, signIn("e0", T0), days)]]);
        const failed = signIn("f1", T0 + DAY, { sourceIp: "192.0.2.1", result: "Failure" });
        const first = signIn("e1", T0 + DAY + 1000, { sourceIp: "198.51.100.1" });
        const second = signIn("e2", T0 + DAY + 2000, { sourceIp: "198.51.100.2" });
        const fromFailedNetwork = signIn("e3", T0 + DAY + 3000, { sourceIp: "192.0.2.9" });
        markAll(history, [fromFailedNetwork, second, failed, first], days);
        const newNetwork = (s: SignIn) => (s.firstSeen as FirstSeenMark).newNetwork;
        assert.deepEqual([failed, first, second, fromFailedNetwork].map(newNetwork), [
            "192.0.2.0/24",
            "198.51.100.0/24",
            undefined,
            "192.0.2.0/24",
        ]);
    });

    it("keeps a history per account: root of a member account is new there however often root signs in to another", function () {
        const rootIn = (account: string, id: string, atMs: number): SignIn => {
            const parsed = parseCloudTrailRecord(JSON.stringify(fixture("cloudtrail_root-mfa")).split("111122223333").join(account));
            assert.ok(parsed.ok);
            return { ...toSignIn(parsed.value), eventId: id, eventTime: new Date(atMs) };
        };
        const own = rootIn("111122223333", "e1", T0);
        const member = rootIn("444455556666", "e2", T0 + DAY);
        assert.deepEqual([own.principalKey, member.principalKey], ["111122223333|Root|root", "444455556666|Root|root"]);
        const histories = new Map([[own.principalKey!, learn(undefined, own, days)]]);
        const ownAgain = rootIn("111122223333", "e3", T0 + DAY);
        markAll(histories, [member, ownAgain], days);
        assert.deepEqual([member.firstSeen?.noHistory, ownAgain.firstSeen?.noHistory], [true, false]);
    });

    it("leaves sign-ins without a principal, and events other than console sign-ins, unmarked", function () {
        const apiCall = signIn("r1", T0, { eventName: "GetCallerIdentity" });
        const hidden = signIn("h1", T0);
        delete hidden.principalKey;
        markAll(new Map(), [apiCall, hidden], days);
        assert.equal(apiCall.firstSeen, undefined);
        assert.equal(hidden.firstSeen, undefined);
    });

    it(`keeps at most ${MAX_VALUES_PER_DIMENSION} networks, the most recently seen`, function () {
        let history: PrincipalHistory | undefined;
        for (let i = 0; i < MAX_VALUES_PER_DIMENSION + 20; i++) {
            history = learn(history, signIn(`e${i}`, T0 + i * 60_000, { sourceIp: `10.${Math.floor(i / 256)}.${i % 256}.1` }), days);
        }
        const networks = Object.keys((history as PrincipalHistory).networks);
        assert.equal(networks.length, MAX_VALUES_PER_DIMENSION);
        assert.ok(!networks.includes("10.0.0.0/24") && networks.includes("10.0.219.0/24"));
    });
});

/** What first-seen must say, from every earlier successful sign-in of the principal (brute force). */
function oracle(history: readonly SignIn[], s: SignIn, days: number): FirstSeenMark {
    const t = s.eventTime.getTime();
    const prior = history.filter((h) => h.principalKey === s.principalKey && h.eventId !== s.eventId && h.eventTime.getTime() <= t);
    const inWindow = prior.filter((h) => h.eventTime.getTime() >= t - days * DAY);
    if (inWindow.length === 0) {
        return { noHistory: true, windowDays: days };
    }
    const mine = valuesOf(s);
    const mark: FirstSeenMark = { noHistory: false, windowDays: days };
    if (mine.networks && !inWindow.some((h) => valuesOf(h).networks === mine.networks)) {
        mark.newNetwork = mine.networks;
    }
    if (mine.agents && !inWindow.some((h) => valuesOf(h).agents === mine.agents)) {
        mark.newAgent = userAgentClient(s.userAgent);
    }
    if (mine.regions && !inWindow.some((h) => valuesOf(h).regions === mine.regions)) {
        mark.newRegion = mine.regions;
    }
    const first = Math.min(...prior.map((h) => h.eventTime.getTime()));
    if (first > t - days * DAY) {
        mark.historySince = new Date(first);
    }
    return mark;
}

describe("first-seen over two months of synthetic sign-ins, against a brute-force oracle", function () {
    it("marks every sign-in exactly as the oracle does, when each is posted by up to two rules and sometimes redelivered", function () {
        const days = 30;
        let seed = 20261130;
        const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
        const principals = ["alice", "bob", "carol"];
        const networks = ["203.0.113.", "198.51.100.", "192.0.2.", "2001:db8:1::", "2001:db8:2::"];
        const agents = [CHROME_MAC, FIREFOX_WINDOWS, "aws-console-mobile/1.0 (iPhone; iOS 17.5)", "aws-cli/2"];
        const regions = ["us-east-1", "eu-west-1", "ap-northeast-1"];
        const signIns: SignIn[] = [];
        for (let i = 0, t = T0; i < 600; i++, t += Math.floor(random() * 4 * 3600 * 1000)) {
            const who = pick(principals);
            signIns.push(
                signIn(`e${i}`, t, {
                    principal: { kind: "name", name: who },
                    principalKey: `111122223333|IAMUser|${who}`,
                    sourceIp: `${pick(networks)}${1 + Math.floor(random() * 200)}`,
                    userAgent: pick(agents),
                    region: pick(regions),
                    result: random() < 0.15 ? "Failure" : "Success",
                }),
            );
        }
        const stored = new Map<string, PrincipalHistory>();
        const learned: SignIn[] = [];
        const marks: FirstSeenMark[] = [];
        let checked = 0;
        for (const s of signIns) {
            const expected = oracle(learned, s, days);
            marks.push(expected);
            const deliveries = 1 + (random() < 0.3 ? 1 : 0) + (random() < 0.1 ? 1 : 0);
            for (let d = 0; d < deliveries; d++) {
                const copy: SignIn = { ...s };
                markAll(stored, [copy], days);
                assert.deepEqual(copy.firstSeen, expected, `${s.eventId} delivery ${d + 1}`);
                checked += 1;
                if (copy.result === "Success") {
                    stored.set(copy.principalKey as string, learn(stored.get(copy.principalKey as string), copy, days));
                }
            }
            if (s.result === "Success") {
                learned.push(s);
            }
        }
        const count = (has: (m: FirstSeenMark) => unknown) => marks.filter(has).length;
        assert.ok(checked > 700, `${checked} judgements`);
        // The months hold every kind of mark, so the comparison above covers each.
        const kinds = [
            (m: FirstSeenMark) => m.noHistory,
            (m: FirstSeenMark) => m.newNetwork,
            (m: FirstSeenMark) => m.newAgent,
            (m: FirstSeenMark) => m.newRegion,
            (m: FirstSeenMark) => m.historySince,
        ].map(count);
        assert.ok(
            kinds.every((n) => n >= 3),
            `no history, new network, agent, region, since: ${kinds.join(", ")}`,
        );
    });
});

describe("first-seen in event time", function () {
    it("learns a batch of old events (a backstop catching up) as it would have when they happened", function () {
        const old = Date.parse("2021-06-08T07:00:00Z");
        const first = signIn("o1", old, { sourceIp: "203.0.113.7" });
        const second = signIn("o2", old + 3600_000, { sourceIp: "203.0.113.8" });
        markAll(new Map(), [first, second], 7);
        assert.deepEqual(second.firstSeen, { noHistory: false, windowDays: 7, historySince: new Date(old) });
    });
});

describe("first-seen out of order", function () {
    const days = 30;
    const DAY_MS = 24 * 3600 * 1000;

    it("judges a sign-in the backstop posts after two later ones against the sighting before it, not the first", function () {
        // Day 0: first sign-in, older than the window by day 31; day 30: another. Day 31, 18:00: a new
        // network, dropped by EventBridge; 18:03 and 18:06
        // from the usual network arrive first; the 18:00 one follows from the backstop.
        const day31 = T0 + 31 * DAY_MS + 18 * 3600_000;
        let history = learn(undefined, signIn("d0", T0), days);
        history = learn(history, signIn("d30", T0 + 30 * DAY_MS), days);
        history = learn(history, signIn("a", day31 + 3 * 60_000), days);
        history = learn(history, signIn("b", day31 + 6 * 60_000), days);
        const late = signIn("late", day31, { sourceIp: "2001:db8:99::d6" });
        assert.deepEqual(judge(history, late, days), { noHistory: false, windowDays: 30, newNetwork: "2001:db8:99::/48" });
    });

    it(`keeps the recent sightings of a value for a day, and at most ${MAX_RECENT_SIGHTINGS}`, function () {
        let history: PrincipalHistory | undefined;
        for (let i = 0; i < 80; i++) {
            history = learn(history, signIn(`r${i}`, T0 + i * 30 * 60_000), days);
        }
        const recent = (history as PrincipalHistory).networks["203.0.113.0/24"]!.recent;
        assert.equal(recent.length, MAX_RECENT_SIGHTINGS);
        assert.deepEqual(recent[recent.length - 1], { atMs: T0 + 79 * 30 * 60_000, eventId: "r79" });
    });
});
