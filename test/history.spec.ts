/**
 * The first-seen histories in the state table (handler/state/history.ts): read once a lookup,
 * written once a batch, all principals together, and never at the cost of another invocation's
 * sighting.
 */
import { strict as assert } from "assert";
import { historyKey, learnPosted, markFirstSeen, type HistoryScope, type ReadHistories } from "../handler/state/history";
import { learn, type PrincipalHistory } from "../handler/decide/firstSeen";
import type { DocumentWrite, SignIn } from "../handler/common/types";
import { FakeClock, InMemoryStateStore } from "./support/fakePorts";

const T0 = Date.parse("2026-11-01T00:00:00Z");
const DAYS = 90;

function signIn(id: string, name: string, atMs: number, sourceIp = "203.0.113.7"): SignIn {
    return {
        eventId: id,
        principal: { kind: "name", name },
        userName: name,
        identityType: "IAMUser",
        eventName: "ConsoleLogin",
        result: "Success",
        mfa: "Yes",
        sourceIp,
        region: "us-east-1",
        eventTime: new Date(atMs),
        userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
        accountId: "111122223333",
        principalKey: `111122223333|IAMUser|${name}`,
    };
}

/** The in-memory store, with every read and write of documents it is asked for. */
function countingStore() {
    const store = new InMemoryStateStore(new FakeClock(T0));
    const reads: string[][] = [];
    const writes: string[][] = [];
    const readDocuments = store.readDocuments.bind(store);
    const writeDocuments = store.writeDocuments.bind(store);
    store.readDocuments = (keys) => (reads.push([...keys]), readDocuments(keys));
    store.writeDocuments = (w: readonly DocumentWrite[]) => (writes.push(w.map((d) => d.key)), writeDocuments(w));
    return { store, reads, writes };
}

const stored = (store: InMemoryStateStore, name: string) =>
    JSON.parse(store.documents.get(historyKey(`111122223333|IAMUser|${name}`))!.body) as PrincipalHistory;

describe("first-seen histories in the state table", function () {
    const { log } = console;
    beforeEach(() => (console.log = () => undefined));
    afterEach(() => (console.log = log));

    it("reads a lookup's histories once and writes each batch's in one request, carrying them to the next batch", async function () {
        const { store, reads, writes } = countingStore();
        const scope: HistoryScope = { store, days: DAYS, ruleId: "console-signin" };
        const carried: ReadHistories = new Map();
        const first = [signIn("a1", "alice", T0), signIn("b1", "bob", T0 + 1000), signIn("a2", "alice", T0 + 2000)];
        await learnPosted(scope, await markFirstSeen(scope, first, carried), first);
        const second = [signIn("a3", "alice", T0 + 3000, "198.51.100.9"), signIn("b2", "bob", T0 + 4000)];
        await learnPosted(scope, await markFirstSeen(scope, second, carried), second);

        const alice = historyKey("111122223333|IAMUser|alice");
        const bob = historyKey("111122223333|IAMUser|bob");
        assert.deepEqual(reads, [[alice, bob]]);
        assert.deepEqual(writes, [
            [alice, bob],
            [alice, bob],
        ]);
        // The second batch was marked against what the first one wrote.
        assert.deepEqual(second[0]!.firstSeen, {
            noHistory: false,
            windowDays: DAYS,
            newNetwork: "198.51.100.0/24",
            historySince: new Date(T0),
        });
        assert.deepEqual(
            stored(store, "alice").any.recent.map((s) => s.eventId),
            ["a1", "a2", "a3"],
        );
        assert.equal(store.documents.get(alice)!.version, 2);
    });

    it("reads again and merges a history another invocation wrote between two batches, losing neither's sighting", async function () {
        const { store, reads, writes } = countingStore();
        const scope: HistoryScope = { store, days: DAYS, ruleId: "console-signin" };
        const carried: ReadHistories = new Map();
        const first = [signIn("a1", "alice", T0)];
        await learnPosted(scope, await markFirstSeen(scope, first, carried), first);
        // The fast path, in another container, learns its own sign-in of alice.
        const key = historyKey("111122223333|IAMUser|alice");
        const other = learn(stored(store, "alice"), signIn("x1", "alice", T0 + 1500), DAYS);
        assert.equal(await store.writeDocument(key, JSON.stringify(other), 1, 2e9), true);

        const second = [signIn("a2", "alice", T0 + 2000)];
        await learnPosted(scope, await markFirstSeen(scope, second, carried), second);
        assert.deepEqual(reads, [[key], [key]]);
        // Ours, the other invocation's, ours refused, ours again after reading.
        assert.deepEqual(writes, [[key], [key], [key], [key]]);
        assert.deepEqual(
            stored(store, "alice").any.recent.map((s) => s.eventId),
            ["a1", "x1", "a2"],
        );
        assert.equal(store.documents.get(key)!.version, 3);
    });

    it("writes what the batch's marking learned when Slack took all of it, and learns only what Slack took otherwise", async function () {
        const { store } = countingStore();
        const scope: HistoryScope = { store, days: DAYS, ruleId: "console-signin" };
        const shown = [signIn("a1", "alice", T0), signIn("a2", "alice", T0 + 1000)];
        // Slack refused the message with a2 in every form: only a1 teaches.
        await learnPosted(scope, await markFirstSeen(scope, shown), [shown[0]!]);
        assert.deepEqual(
            stored(store, "alice").any.recent.map((s) => s.eventId),
            ["a1"],
        );
    });

    it("reads and writes nothing when first-seen is off", async function () {
        const { store, reads, writes } = countingStore();
        const scope: HistoryScope = { store, days: 0, ruleId: "console-signin" };
        const signIns = [signIn("a1", "alice", T0)];
        await learnPosted(scope, await markFirstSeen(scope, signIns), signIns);
        assert.deepEqual([reads, writes, signIns[0]!.firstSeen], [[], [], undefined]);
    });
});
