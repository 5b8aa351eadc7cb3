import { createHandler } from "../../handler/ingest/invocation";
import type { FetchLike } from "../../handler/deliver/webhook";
import type { AwsPorts, Clock } from "../../handler/common/types";
import { InMemoryStateStore } from "./fakePorts";
import type { HandlerSettings } from "../../shared/contract";
import { fixture } from "../../tools/fixtures";

/** A small seeded PRNG (mulberry32): the same seed always yields the same cases. */
export class Random {
    private state: number;

    constructor(seed: number) {
        this.state = seed >>> 0;
    }

    next(): number {
        this.state = (this.state + 0x6d2b79f5) >>> 0;
        let t = this.state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    int(below: number): number {
        return Math.floor(this.next() * below);
    }

    pick<T>(values: readonly T[]): T {
        return values[this.int(values.length)]!;
    }

    /** Inserts `value` at a random position of a copy of `values`, returning the copy and the position. */
    insert<T>(values: readonly T[], value: T): { list: T[]; index: number } {
        const index = this.int(values.length + 1);
        return { list: [...values.slice(0, index), value, ...values.slice(index)], index };
    }

    shuffle<T>(values: readonly T[]): T[] {
        const out = [...values];
        for (let i = out.length - 1; i > 0; i--) {
            const j = this.int(i + 1);
            [out[i], out[j]] = [out[j]!, out[i]!];
        }
        return out;
    }

    /** A CloudTrail-shaped event id (a version 4 UUID). */
    uuid(): string {
        const hex = Array.from({ length: 32 }, () => this.int(16).toString(16)).join("");
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${"89ab"[this.int(4)]}${hex.slice(17, 20)}-${hex.slice(20)}`;
    }
}

/** Strings Slack would turn into a mention, a link or a formatting change if they reached it unescaped. */
export const CONTROL_SEQUENCES = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U123>",
    "<#C123|general>",
    "<https://evil.example|x>",
    "<!subteam^S123|@admins>",
    "<!date^1392734382^{date}|x>",
    "&amp;",
    "&lt;!channel&gt;",
    "ops <!channel> please",
    "*bold* _it_ ~del~ `code` > quote",
] as const;

/** Substrings that must never appear in a posted payload: each would act on Slack. */
export const FORBIDDEN_RAW = ["<!channel>", "<!here>", "<!everyone>", "<@U123>", "<#C123", "<https://evil", "<!subteam", "<!date"] as const;

/** Values that would forge a line of the message if their line breaks reached Slack. */
export const FORGED_LINES = [
    "alice\n\n*Root user activity*: 0 events",
    "ops\r\n<!channel> all clear",
    "bob\rroot signed in",
    "x\u2028y\u2029z",
    "\nleading",
    "trailing\n",
    "a\n\n\n\nb",
] as const;

/** Values that mrkdwn would format: bold, italics, strike-through, code, a block quote. */
export const MRKDWN_FORMATTING = [
    "*bold*",
    "_italic_",
    "~struck~",
    "`code`",
    "```block```",
    "> quoted",
    "  > indented quote",
    "*_~`all`~_*",
    "2 * 3 > 5_",
    "sre_oncall",
] as const;

/** Bidi marks, embeddings, overrides and isolates: each reorders what a reader sees. */
export const BIDI_CONTROLS = [
    "admin\u202Egnp.exe",
    "\u202Aembedded\u202C",
    "\u202Bright\u202C",
    "\u202Doverride\u202C",
    "\u2066isolated\u2069",
    "\u2067rtl\u2069",
    "\u2068first\u2069",
    "left\u200Emark",
    "right\u200Fmark",
    "arabic\u061Cmark",
] as const;

/** Characters that take no space: "adm\u200Bin" reads as "admin" unless the mark is shown. */
export const ZERO_WIDTH = ["adm\u200Bin", "ops\u200C-admin", "root\u200D", "\u2060root", "\uFEFFroot", "r\u200Bo\u200Bo\u200Bt"] as const;

/** C0 and C1 control characters, DEL and a tab. */
export const CONTROL_CHARACTERS = [
    "nul\u0000",
    "bell\u0007",
    "\u001B[31mred\u001B[0m",
    "back\bspace",
    "tab\there",
    "del\u007F",
    "next line\u0085",
    "csi\u009B31m",
    "form\ffeed",
    "\u0001\u001F",
] as const;

/** User agents with addresses that Slack would link unless the text is verbatim. */
export const URL_USER_AGENTS = [
    "curl/8.0 https://evil.example/login",
    "bot (+http://evil.example/bot.html)",
    "see www.evil.example now",
    "mailto:admin@evil.example",
    "ops #general please",
    "@channel look",
] as const;

/**
 * Characters that must never reach a payload: controls (a line break aside, which the handler
 * itself writes between a label and its value), bidi controls and zero-width characters.
 */
export const INVISIBLE_RAW =
    /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200B\u200C\u200E\u200F\u202A-\u202E\u2028\u2029\u2060\u2066-\u2069\uFEFF]/;

/** Names people really have, in scripts the formatter must pass through untouched. */
export const NON_ASCII_NAMES = [
    "山田太郎",
    "佐藤 花子",
    "鈴木一郎",
    "ﾔﾏﾀﾞﾀﾛｳ",
    "渡辺🍣",
    "🦊さくら",
    "José Ñúñez",
    "Zoë Ångström",
    "Ελένη",
    "Ђорђе",
    "محمد",
    "👩🏽‍💻 dev",
] as const;

const PLAIN_NAMES = ["ops-admin", "dev-42", "alice", "bob.smith", "ci-breakglass", "sre_oncall"] as const;

/** Every kind of hostile input, in the order the suite reports them. */
export const CATEGORIES = [
    "envelope-not-object",
    "envelope-without-records",
    "record-without-sns",
    "message-not-string",
    "message-not-json",
    "message-not-object",
    "not-an-alarm",
    "unknown-alarm",
    "unknown-state",
    "insufficient-data",
    "ok-state",
    "bad-state-change-time",
    "odd-trigger",
    "hostile-alarm-reason",
    "log-not-json",
    "log-not-object",
    "no-event-id",
    "bad-event-time",
    "no-user-identity",
    "null-response-elements",
    "long-user-agent",
    "non-ascii-names",
    "long-emoji-value",
    "control-sequences",
    "hostile-event-name",
    "duplicate-events",
    "wrong-types",
    "object-member-account-id",
    "forged-lines",
    "mrkdwn-formatting",
    "bidi-controls",
    "zero-width",
    "c0-c1-controls",
    "urls-in-user-agent",
] as const;
export type Category = (typeof CATEGORIES)[number];

/** What a posted sign-in must show; raw values, escaped by the checker. */
export interface Shown {
    eventId: string;
    who?: string;
    /** Field label to expected value, e.g. { MFA: "n/a" }. */
    fields?: Record<string, string>;
}

export interface HostileCase {
    id: string;
    category: Category;
    /** Invocation events, delivered in order to one warm handler. */
    events: unknown[];
    /** What FilterLogEvents returns on each lookup, in order; the last list repeats. */
    lookups: string[][];
    /** Event ids that must be posted exactly once across the case's invocations. */
    mustPost: string[];
    /** Ids of malformed records that may be posted once or else skipped with a reason naming them. */
    postedOrSkipped: string[];
    /** report.skipped of each invocation, exactly (plus reasons naming a postedOrSkipped id). */
    skipped: string[][];
    shown: Shown[];
}

export interface GeneratorOptions {
    /** The alarm of the rule the cases notify, as deployed. */
    alarmName: string;
    /** The id of that rule: skip reasons of log events start with it. */
    ruleId: string;
    /** Cases per category. */
    perCategory?: number;
}

type Json = Record<string, unknown>;
type SnsEnvelope = { Records: Array<Json & { Sns: Json }> };

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * Builds the hostile cases. Each pairs one bad input with a valid sign-in in the same batch or
 * lookup (or, when the envelope itself is unusable, in the next invocation of the same container),
 * so a test can prove the bad input costs nothing but itself.
 */
export function generateHostileCases(seed: number, options: GeneratorOptions): HostileCase[] {
    const rng = new Random(seed);
    const perCategory = options.perCategory ?? 10;
    const envelope = fixture<SnsEnvelope>("sns_alarm-console-signin");
    const baseAlarm = JSON.parse(String(envelope.Records[0]!.Sns["Message"])) as Json;
    const baseSignIn = fixture<Json>("cloudtrail_iam-user-mfa");
    const baseSso = fixture<Json>("cloudtrail_sso-assumed-role");
    const baseRootCall = fixture<Json>("cloudtrail_root-api-call");
    const { alarmName, ruleId } = options;
    let clockSeconds = 0;

    const eventTime = (): string => new Date(Date.UTC(2021, 5, 8, 7, 53, 6) + 1000 * clockSeconds++).toISOString().replace(".000Z", "Z");

    function signIn(overrides: (record: Json) => void = () => undefined, base: Json = baseSignIn): Json & { eventID: string } {
        const record = clone(base);
        record["eventID"] = rng.uuid();
        record["eventTime"] = eventTime();
        record["sourceIPAddress"] = `203.0.113.${1 + rng.int(254)}`;
        if (base === baseSignIn) {
            (record["userIdentity"] as Json)["userName"] = rng.pick(PLAIN_NAMES);
        }
        overrides(record);
        return record as Json & { eventID: string };
    }

    function alarmMessage(overrides: (message: Json) => void = () => undefined): Json {
        const message = clone(baseAlarm);
        message["AlarmName"] = alarmName;
        overrides(message);
        return message;
    }

    function snsRecord(body: unknown): Json & { Sns: Json } {
        const record = clone(envelope.Records[0]!);
        record.Sns["MessageId"] = rng.uuid();
        record.Sns["Message"] = typeof body === "string" ? body : JSON.stringify(body);
        return record;
    }

    const validAlarmEvent = (): SnsEnvelope => ({ Records: [snsRecord(alarmMessage())] });

    const cases: HostileCase[] = [];
    const add = (
        category: Category,
        i: number,
        c: Omit<HostileCase, "id" | "category" | "postedOrSkipped" | "shown"> & Partial<HostileCase>,
    ): void => {
        cases.push({ id: `${category}#${String(i).padStart(2, "0")}`, category, postedOrSkipped: [], shown: [], ...c });
    };

    /** A bad SNS record in the same batch as the valid alarm notification. */
    function inBatch(category: Category, i: number, bad: unknown, reason: (index: number) => string | undefined): void {
        const valid = signIn();
        const { list, index } = rng.insert([snsRecord(alarmMessage())], bad);
        const why = reason(index);
        add(category, i, {
            events: [{ Records: list }],
            lookups: [[JSON.stringify(valid)]],
            mustPost: [valid.eventID],
            skipped: [why === undefined ? [] : [why]],
        });
    }

    /** Bad log events in the same lookup as a valid sign-in. */
    function inLookup(category: Category, i: number, bad: string[], skipped: string[], extra: Partial<HostileCase> = {}): void {
        const valid = signIn();
        let list = [JSON.stringify(valid)];
        for (const message of bad) {
            list = rng.insert(list, message).list;
        }
        add(category, i, {
            events: [validAlarmEvent()],
            lookups: [list],
            skipped: [skipped],
            ...extra,
            mustPost: [valid.eventID, ...(extra.mustPost ?? [])],
        });
    }

    const cycle = <T>(values: readonly T[], i: number): T => values[i % values.length]!;

    for (let i = 0; i < perCategory; i++) {
        // The envelope itself is unusable: the invocation reports why, and the next one still works.
        const notObject = cycle([null, "ALARM", 42, true, [], [validAlarmEvent()], 0, ""], i);
        const v1 = signIn();
        add("envelope-not-object", i, {
            events: [notObject, validAlarmEvent()],
            lookups: [[JSON.stringify(v1)]],
            mustPost: [v1.eventID],
            skipped: [["the event is not a JSON object"], []],
        });

        const noRecords = cycle<unknown>(
            [
                {},
                { records: validAlarmEvent().Records },
                { Records: null },
                { Records: {} },
                { Records: "[]" },
                { Records: 7 },
                { Records: { 0: validAlarmEvent().Records[0] } },
                validAlarmEvent().Records[0],
                { "detail-type": "Scheduled Event" },
                { source: "aws.events", "detail-type": "scheduled event" },
            ],
            i,
        );
        const v2 = signIn();
        add("envelope-without-records", i, {
            events: [noRecords, validAlarmEvent()],
            lookups: [[JSON.stringify(v2)]],
            mustPost: [v2.eventID],
            skipped: [["the event has neither Records nor a scheduled-event source"], []],
        });

        inBatch(
            "record-without-sns",
            i,
            cycle<unknown>([null, 5, "Sns", {}, { Sns: null }, { Sns: "{}" }, { Sns: [] }, { sns: snsRecord(alarmMessage()).Sns }], i),
            (index) => `record ${index} has no Sns object`,
        );

        const badMessage = cycle<unknown>([undefined, null, 5, alarmMessage(), [JSON.stringify(alarmMessage())], true, {}], i);
        const noString = snsRecord("");
        if (badMessage === undefined) {
            delete noString.Sns["Message"];
        } else {
            noString.Sns["Message"] = badMessage;
        }
        inBatch("message-not-string", i, noString, (index) => `record ${index} has no Sns.Message string`);

        const truncated = JSON.stringify(alarmMessage());
        inBatch(
            "message-not-json",
            i,
            snsRecord(
                cycle(
                    [
                        "",
                        " ",
                        "{",
                        "ALARM",
                        "undefined",
                        "NaN",
                        "{'AlarmName': 'x'}",
                        `\uFEFF${truncated}`,
                        truncated.slice(0, 1 + rng.int(truncated.length - 2)),
                        "<!channel> ALARM",
                    ],
                    i,
                ),
            ),
            () => "the SNS message is not JSON",
        );

        inBatch(
            "message-not-object",
            i,
            snsRecord(cycle(["[]", "42", "null", '"ALARM"', "true", JSON.stringify([alarmMessage()]), "-0", '"<!channel>"'], i)),
            () => "the SNS message is not a JSON object",
        );

        const notAlarm = cycle<unknown>(
            [
                {},
                { foo: 1 },
                { AlarmName: 5 },
                { AlarmName: "" },
                { AlarmName: null },
                { alarmName: alarmName, NewStateValue: "ALARM" },
                { Records: [{ eventSource: "aws:s3", s3: { bucket: { name: "x" } } }] },
                { Type: "SubscriptionConfirmation", Message: "You have chosen to subscribe" },
                signIn(),
                { AlarmName: [alarmName] },
            ],
            i,
        );
        inBatch(
            "not-an-alarm",
            i,
            snsRecord(notAlarm),
            () => "the SNS message has no AlarmName, so it is not a CloudWatch alarm notification",
        );

        const otherName = cycle(
            [
                "some-other-stack-alarm",
                "<!channel>",
                "山田のアラーム",
                `${alarmName} `,
                alarmName.toUpperCase(),
                "__proto__",
                "constructor",
                "toString",
                `${alarmName}-copy`,
                "<https://evil.example|x>",
            ],
            i,
        );
        inBatch(
            "unknown-alarm",
            i,
            snsRecord(alarmMessage((m) => (m["AlarmName"] = otherName))),
            () => `alarm ${otherName} belongs to no rule of this stack`,
        );

        const state = cycle<unknown>(["alarm", "PENDING", "", 5, null, undefined, "ALARM ", ["ALARM"], "Alarm", "OK\n"], i);
        inBatch(
            "unknown-state",
            i,
            snsRecord(
                alarmMessage((m) => {
                    if (state === undefined) {
                        delete m["NewStateValue"];
                    } else {
                        m["NewStateValue"] = state;
                    }
                }),
            ),
            () => `alarm ${alarmName} has an unknown NewStateValue ${JSON.stringify(state)}`,
        );

        inBatch(
            "insufficient-data",
            i,
            snsRecord(alarmMessage((m) => ((m["NewStateValue"] = "INSUFFICIENT_DATA"), (m["OldStateValue"] = "ALARM")))),
            () => `alarm ${alarmName} went to INSUFFICIENT_DATA`,
        );

        // An OK notification still sweeps the rule; with notifyOnOk off it posts no note of its own.
        const ok = snsRecord(alarmMessage((m) => ((m["NewStateValue"] = "OK"), (m["OldStateValue"] = "ALARM"))));
        if (i % 2 === 0) {
            const v3 = signIn();
            add("ok-state", i, { events: [{ Records: [ok] }], lookups: [[JSON.stringify(v3)]], mustPost: [v3.eventID], skipped: [[]] });
        } else {
            inBatch("ok-state", i, ok, () => undefined);
        }

        const changed = cycle<unknown>(
            [undefined, "", "yesterday", null, {}, "2021-06-08T25:61:00Z", "2021-13-45", [], true, "<!channel>"],
            i,
        );
        if (!Number.isNaN(Date.parse(String(changed ?? "")))) {
            throw new Error(`the StateChangeTime ${String(changed)} parses; pick one that does not`);
        }
        inBatch(
            "bad-state-change-time",
            i,
            snsRecord(
                alarmMessage((m) => {
                    if (changed === undefined) {
                        delete m["StateChangeTime"];
                    } else {
                        m["StateChangeTime"] = changed;
                    }
                }),
            ),
            () => `alarm ${alarmName} has no valid StateChangeTime`,
        );

        // Absurd periods fall back to defaults; the valid sign-in is still found and posted.
        const trigger = cycle<unknown>(
            [
                { Period: -60, EvaluationPeriods: 0 },
                { Period: "abc", EvaluationPeriods: "x" },
                { Period: 1e308, EvaluationPeriods: 1e308 },
                null,
                "Trigger",
                { Period: 0.5, EvaluationPeriods: 1.5 },
                [],
                { Period: Number.MAX_SAFE_INTEGER },
            ],
            i,
        );
        const v4 = signIn();
        add("odd-trigger", i, {
            events: [
                {
                    Records: [
                        snsRecord(
                            alarmMessage((m) => {
                                m["Trigger"] = trigger;
                                if (i % 2 === 1) {
                                    m["NewStateReason"] = "Threshold Crossed: no datapoints were named";
                                }
                            }),
                        ),
                    ],
                },
            ],
            lookups: [[JSON.stringify(v4)]],
            mustPost: [v4.eventID],
            skipped: [[]],
        });

        // With nothing in CloudTrail yet the alarm's own words are posted; they must be escaped too.
        const hostile = rng.pick(CONTROL_SEQUENCES);
        const v5 = signIn();
        add("hostile-alarm-reason", i, {
            events: [
                {
                    Records: [
                        snsRecord(
                            alarmMessage((m) => {
                                m["NewStateReason"] = `Threshold Crossed: ${hostile} [1.0 (08/06/21 07:53:00)]`;
                                if (i % 2 === 1) {
                                    m["AWSAccountId"] = hostile;
                                }
                            }),
                        ),
                    ],
                },
                { Records: [snsRecord(alarmMessage((m) => (m["StateChangeTime"] = "2021-06-08T08:10:00.000+0000")))] },
            ],
            lookups: [[], [JSON.stringify(v5)]],
            mustPost: [v5.eventID],
            skipped: [[], []],
        });

        const record = JSON.stringify(signIn());
        inLookup(
            "log-not-json",
            i,
            [
                cycle(
                    [
                        "",
                        " ",
                        "not json",
                        "{",
                        '{"eventID": ',
                        record.slice(0, 1 + rng.int(record.length - 2)),
                        "<!channel>",
                        "\u0000\u0001",
                        "NaN",
                        "{'eventID':'x'}",
                    ],
                    i,
                ),
            ],
            [`${ruleId}: the log event is not JSON`],
        );

        inLookup(
            "log-not-object",
            i,
            [cycle(["[]", "null", "42", '"ConsoleLogin"', "true", `[${record}]`, "-1", '"<!channel>"'], i)],
            [`${ruleId}: the log event is not a JSON object`],
        );

        const missingId = cycle<unknown>([undefined, "", null, 5, {}, [], true, ["x"], 0], i);
        inLookup(
            "no-event-id",
            i,
            [
                JSON.stringify(
                    signIn((r) => {
                        if (missingId === undefined) {
                            delete r["eventID"];
                        } else {
                            r["eventID"] = missingId;
                        }
                    }),
                ),
            ],
            [`${ruleId}: the CloudTrail record has no eventID`],
        );

        const badTime = cycle<unknown>(
            [undefined, "", "yesterday", null, {}, "2021-06-08T25:00:00Z", "tomorrow at noon", "2021-13-01T00:00:00Z", [], true],
            i,
        );
        if (!Number.isNaN(Date.parse(String(badTime ?? "")))) {
            throw new Error(`the eventTime ${String(badTime)} parses; pick one that does not`);
        }
        const timeless = signIn((r) => {
            if (badTime === undefined) {
                delete r["eventTime"];
            } else {
                r["eventTime"] = badTime;
            }
        });
        inLookup(
            "bad-event-time",
            i,
            [JSON.stringify(timeless)],
            [`${ruleId}: CloudTrail record ${timeless.eventID} has no valid eventTime`],
        );

        const identity = cycle<unknown>([undefined, null, {}, "root", [], { type: null }, { type: "" }, 7], i);
        const anonymous = signIn((r) => {
            if (identity === undefined) {
                delete r["userIdentity"];
            } else {
                r["userIdentity"] = identity;
            }
        });
        inLookup("no-user-identity", i, [JSON.stringify(anonymous)], [], {
            mustPost: [anonymous.eventID],
            shown: [{ eventId: anonymous.eventID, who: "unknown principal", fields: { Account: "111122223333" } }],
        });

        const nulls = signIn((r) => {
            if (i % 3 !== 1) {
                r["responseElements"] = null;
            }
            if (i % 3 !== 0) {
                r["additionalEventData"] = null;
            }
        });
        inLookup("null-response-elements", i, [JSON.stringify(nulls)], [], {
            mustPost: [nulls.eventID],
            shown: [
                {
                    eventId: nulls.eventID,
                    fields: { ...(i % 3 !== 1 ? { Result: "Unknown" } : {}), ...(i % 3 !== 0 ? { MFA: "n/a" } : {}) },
                },
            ],
        });

        const size = 2048 + rng.int(30000);
        const junk = Array.from({ length: size }, () => rng.pick(["a", "b", "q", "x", "z", " ", ";", "(", ")", "東", "京", "-", "_"])).join(
            "",
        );
        const agents: Array<[string, string]> = [
            [`Mozilla/5.0 (Windows NT 10.0; Win64; x64) ${"A".repeat(size)} Chrome/91.0.4472.77 Safari/537.36`, "Chrome 91 on Windows"],
            [junk, `${junk.slice(0, 79)}…`],
            ["<!channel> ".repeat(size / 8), `${"<!channel> ".repeat(8).slice(0, 79)}…`],
            [`aws-cli/2.0 ${"&amp;".repeat(size / 4)}`, `aws-cli/2.0 ${"&amp;".repeat(20)}`.slice(0, 79) + "…"],
        ];
        const [agent, browser] = cycle(agents, i);
        const chatty = signIn((r) => (r["userAgent"] = agent));
        inLookup("long-user-agent", i, [JSON.stringify(chatty)], [], {
            mustPost: [chatty.eventID],
            shown: [{ eventId: chatty.eventID, fields: { Browser: browser } }],
        });

        const name = cycle(NON_ASCII_NAMES, i);
        const sso = i % 3 === 2;
        const named = sso
            ? signIn((r) => {
                  const id = r["userIdentity"] as Json;
                  id["arn"] = `arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/${name}@example.co.jp`;
                  id["principalId"] = `AROAEXAMPLE:${name}@example.co.jp`;
              }, baseSso)
            : signIn((r) => ((r["userIdentity"] as Json)["userName"] = name));
        const longName = "山".repeat(150) + "田".repeat(100);
        const longNamed = signIn((r) => ((r["userIdentity"] as Json)["userName"] = longName));
        inLookup("non-ascii-names", i, i === 0 ? [JSON.stringify(named), JSON.stringify(longNamed)] : [JSON.stringify(named)], [], {
            mustPost: i === 0 ? [named.eventID, longNamed.eventID] : [named.eventID],
            shown: [
                {
                    eventId: named.eventID,
                    // For IAM Identity Center the message names the person, from the session name.
                    who: sso ? `${name}@example.co.jp` : name,
                },
                ...(i === 0 ? [{ eventId: longNamed.eventID, who: `${longName.slice(0, 199)}…` }] : []),
            ],
        });

        // Two UTF-16 units per character: any odd cut point lands between a surrogate pair. The user
        // agent matters most, since whoever signs in (or fails to) chooses it.
        const emoji = cycle(["🦊", "🍣", "👩", "😀", "🇯"], i);
        const emojiText = emoji.repeat(101 + rng.int(100));
        const emojiSignIn = signIn((r) =>
            i % 2 === 0 ? ((r["userIdentity"] as Json)["userName"] = emojiText) : (r["userAgent"] = `Mozilla/5.0 ${emojiText}`),
        );
        inLookup("long-emoji-value", i, [JSON.stringify(emojiSignIn)], [], { mustPost: [emojiSignIn.eventID] });

        const sequence = cycle(CONTROL_SEQUENCES, i);
        const placements: Array<[(r: Json) => void, Omit<Shown, "eventId">]> = [
            [(r) => ((r["userIdentity"] as Json)["userName"] = sequence), { who: sequence }],
            [(r) => (r["sourceIPAddress"] = sequence), { fields: { "Source IP": sequence } }],
            [(r) => (r["awsRegion"] = sequence), { fields: { Region: sequence } }],
            [(r) => (r["errorMessage"] = sequence), { fields: { Error: sequence } }],
            [(r) => (r["recipientAccountId"] = sequence), { fields: { Account: sequence } }],
            [(r) => (r["userAgent"] = sequence), { fields: { Browser: sequence } }],
        ];
        const [place, show] = cycle(placements, i + Math.floor(i / placements.length));
        const loud = signIn(place);
        inLookup("control-sequences", i, [JSON.stringify(loud)], [], {
            mustPost: [loud.eventID],
            shown: [{ eventId: loud.eventID, ...show }],
        });

        // Rules such as root-activity match any API call, so the event name is displayed too. This one
        // is done by a service on root's behalf, so root-activity, more urgent than the rule at hand,
        // does not claim it (one event, one message: handler/decide/overlap.ts).
        const rootCall = signIn((r) => {
            r["eventName"] = cycle(CONTROL_SEQUENCES, i + 3);
            (r["userIdentity"] as Json)["invokedBy"] = "support.amazonaws.com";
        }, baseRootCall);
        inLookup("hostile-event-name", i, [JSON.stringify(rootCall)], [], { mustPost: [rootCall.eventID] });

        const twin = signIn();
        const copies = [JSON.stringify(twin)];
        if (i % 2 === 1) {
            copies.push(JSON.stringify({ ...twin, sourceIPAddress: "198.51.100.7" }));
        } else {
            copies.push(JSON.stringify(twin));
        }
        const validTwin = signIn();
        add("duplicate-events", i, {
            // The notification is delivered twice (SNS is at-least-once), and each lookup repeats ids.
            events: [validAlarmEvent(), validAlarmEvent()],
            lookups: [rng.shuffle([...copies, JSON.stringify(validTwin), JSON.stringify(validTwin)])],
            mustPost: [twin.eventID, validTwin.eventID],
            skipped: [[], []],
        });

        const wrongTypes: Array<(r: Json) => void> = [
            (r) => ((r["userIdentity"] as Json)["userName"] = 42),
            (r) => (r["userAgent"] = { browser: "Chrome" }),
            (r) => (r["sourceIPAddress"] = 1234),
            (r) => (r["errorMessage"] = 500),
            (r) => (r["awsRegion"] = ["us-east-1"]),
            (r) => (r["recipientAccountId"] = 111122223333),
            (r) => (r["userIdentity"] = { type: "AssumedRole", arn: 7 }),
            (r) => (r["userIdentity"] = { type: 5, userName: "ops-admin" }),
            (r) => (r["eventName"] = { name: "ConsoleLogin" }),
            (r) => (r["userAgent"] = true),
        ];
        const odd = signIn(cycle(wrongTypes, i));
        inLookup("wrong-types", i, [JSON.stringify(odd)], [], { postedOrSkipped: [odd.eventID] });

        const member = cycle(["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"], i);
        const labelled = signIn((r) => (r["recipientAccountId"] = member));
        inLookup("object-member-account-id", i, [JSON.stringify(labelled)], [], {
            mustPost: [labelled.eventID],
            shown: [{ eventId: labelled.eventID, fields: { Account: member } }],
        });

        // Every displayed field, with the record change that puts a value there.
        const at = (value: string): Array<[(r: Json) => void, Omit<Shown, "eventId">]> => [
            [(r) => ((r["userIdentity"] as Json)["userName"] = value), { who: value }],
            [(r) => (r["sourceIPAddress"] = value), { fields: { "Source IP": value } }],
            [(r) => (r["awsRegion"] = value), { fields: { Region: value } }],
            [(r) => (r["errorMessage"] = value), { fields: { Error: value } }],
            [(r) => (r["recipientAccountId"] = value), { fields: { Account: value } }],
            [(r) => (r["userAgent"] = value), { fields: { Browser: value } }],
        ];
        const literalCases: Array<[Category, readonly string[]]> = [
            ["forged-lines", FORGED_LINES],
            ["mrkdwn-formatting", MRKDWN_FORMATTING],
            ["bidi-controls", BIDI_CONTROLS],
            ["zero-width", ZERO_WIDTH],
            ["c0-c1-controls", CONTROL_CHARACTERS],
        ];
        for (const [category, values] of literalCases) {
            const [change, show] = cycle(at(cycle(values, i)), i + Math.floor(i / 6));
            const shownRecord = signIn(change);
            inLookup(category, i, [JSON.stringify(shownRecord)], [], {
                mustPost: [shownRecord.eventID],
                shown: [{ eventId: shownRecord.eventID, ...show }],
            });
        }
        const agentWithUrl = cycle(URL_USER_AGENTS, i);
        const linked = signIn((r) => (r["userAgent"] = agentWithUrl));
        inLookup("urls-in-user-agent", i, [JSON.stringify(linked)], [], {
            mustPost: [linked.eventID],
            shown: [{ eventId: linked.eventID, fields: { Browser: agentWithUrl } }],
        });
    }
    return cases;
}

/** Event ids of the sign-ins in one posted payload, read back from each CloudTrail link, in any language. */
export function postedEventIds(payload: unknown): string[] {
    const blocks = (payload as { blocks?: Array<{ text?: { text?: string } }> }).blocks ?? [];
    return blocks.flatMap((b) =>
        // The link's label is the catalog's ("View in CloudTrail", "CloudTrail で表示"); the address is the same in every language.
        [...(b.text?.text ?? "").matchAll(/#\/events\/([^|>]+)\|[^|>]+>/g)].map((m) => decodeURIComponent(m[1]!)),
    );
}

/** Time that passes only when the handler sleeps, so backoff and rate limits cost nothing. */
export class ManualClock implements Clock {
    constructor(
        private nowMs: number,
        private readonly rng: Random,
    ) {}

    now(): number {
        return this.nowMs;
    }

    async sleep(ms: number): Promise<void> {
        this.nowMs += Math.max(0, ms);
    }

    random(): number {
        return this.rng.next();
    }
}

export interface InvocationOutcome {
    ok: boolean;
    value?: unknown;
    error?: { name: string; message: string };
}

export interface CaseOutcome {
    results: InvocationOutcome[];
    /** Every payload sent to the webhook, parsed, in order. */
    payloads: unknown[];
    /** The structured log lines the handler wrote. */
    logs: Array<Record<string, unknown>>;
}

export const FUZZ_WEBHOOK = "https://hooks.slack.com/services/T0FUZZ000/B0FUZZ000/fuzzfuzzfuzzfuzzfuzzfuzz";
// 2021-06-08T08:00:00Z, a few minutes after the fixtures' sign-ins.
const START_MS = Date.UTC(2021, 5, 8, 8, 0, 0);

/**
 * Runs one case through createHandler in this process: one handler (a warm container) receives
 * the case's events in order. `filter` stands in for CloudWatch Logs' own pattern matching when
 * the result is compared with the deployed handler's, whose fake service applies the pattern.
 */
export async function runInProcess(
    c: HostileCase,
    settings: HandlerSettings,
    filter: (pattern: string, message: string) => boolean = () => true,
): Promise<CaseOutcome> {
    const rng = new Random(0x51ac4);
    const payloads: unknown[] = [];
    const logs: Array<Record<string, unknown>> = [];
    let lookup = 0;
    const clock = new ManualClock(START_MS, rng);
    const aws: AwsPorts = {
        getSecureParameter: async () => FUZZ_WEBHOOK,
        trailStatus: async () => ({ isLogging: true }),
        describeAccount: async () => undefined,
        iamUserEmail: async () => undefined,
        // No case is a drift check: a call would be a bug of the harness.
        detectStackSetDrift: async () => Promise.reject(new Error("the hostile cases check no StackSet's drift")),
        describeStackSetOperation: async () => Promise.reject(new Error("the hostile cases check no StackSet's drift")),
        listDriftedStackInstances: async () => Promise.reject(new Error("the hostile cases check no StackSet's drift")),
        // Each lookup's window in one page.
        filterLogEventsPage: async (_group, pattern) => {
            const messages = c.lookups[Math.min(lookup++, c.lookups.length - 1)] ?? [];
            return {
                events: messages.filter((m) => filter(pattern, m)).map((message, i) => ({ message, timestamp: START_MS - 120000 + i })),
            };
        },
        // The state table as the deployed handler has it, first-seen histories included.
        store: new InMemoryStateStore(clock),
        // What the operators would be told is logged, as a function without a topic does (handler/awsPorts.ts).
        operators: {
            publish: async (subject, message) =>
                console.error(JSON.stringify({ level: "error", message: "no operators' topic to tell", subject, body: message })),
        },
    };
    const fetch: FetchLike = async (_url, init) => {
        payloads.push(JSON.parse(init.body));
        return { status: 200, headers: { get: () => null }, text: async () => "ok" };
    };
    const handler = createHandler({ settings, aws, fetch, clock });
    const results: InvocationOutcome[] = [];
    const original = { log: console.log, error: console.error };
    const capture = (...args: unknown[]): void => {
        const line = args.map(String).join(" ");
        logs.push(line.startsWith("{") ? (JSON.parse(line) as Record<string, unknown>) : { message: line });
    };
    console.log = capture;
    console.error = capture;
    try {
        for (const [i, raw] of c.events.entries()) {
            // Lambda hands the function parsed JSON, never the generator's objects.
            const event: unknown = JSON.parse(JSON.stringify(raw));
            try {
                const value = await handler(event, { awsRequestId: `${c.id}-${i}`, getRemainingTimeInMillis: () => 300000 });
                results.push({ ok: true, value });
            } catch (err) {
                results.push({ ok: false, error: { name: (err as Error).name, message: (err as Error).message } });
            }
        }
    } finally {
        console.log = original.log;
        console.error = original.error;
    }
    return { results, payloads, logs };
}
