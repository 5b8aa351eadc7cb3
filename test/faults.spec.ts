import * as assert from "assert";
import * as fs from "fs";
import { SAFETY_MS } from "../handler/ingest/sweep";
import * as path from "path";
import {
    invokeInChild,
    trailIsHealthy,
    unpackFunction,
    type ChildRun,
    type DeployedFunction,
    type InvocationResult,
} from "../tools/local/deployedFunction";
import { LocalAws, type AwsCall, type AwsFault } from "../tools/local/localAws";
import { LocalSlack, isAcceptedRequest, isDeliveredRequest, type SlackAnswer, type SlackRequest } from "../tools/local/localSlack";
import { matchesFilterPattern } from "../shared/filterPattern";
import { postedEventIds } from "./support/hostileInputs";
import { readSettings } from "../shared/contract";
import { alarmNotification, fixture } from "../tools/fixtures";
import { defaultProgram, functionConfigFor } from "./support/program";

// Short enough to keep every scenario within a few seconds, long enough that a local answer never
// trips the timeout by accident on a busy machine.
const KNOBS = { SLACK_TIMEOUT_MS: "1000", SLACK_BACKOFF_BASE_MS: "50", SLACK_BACKOFF_CAP_MS: "200", MIN_POST_INTERVAL_MS: "0" };
// Attempts per call of the SDK's standard retry mode: 3, except that the DynamoDB client defaults
// to 4 (client-dynamodb 3.1169, the version standing in for the Lambda runtime's).
const SDK_ATTEMPTS = { GetParameter: 3, FilterLogEvents: 3, BatchWriteItem: 4, UpdateItem: 4 } as const;
// Throttles in a row that every client's retries absorb.
const ABSORBED = 2;
// Most of a scenario is spent waiting (Retry-After, the SDK's throttling backoff of up to
// 500 ms × 2^n), so scenarios run side by side, each lane with its own fake Slack and AWS.
const LANES = 3;
const RULE_ID = "console-signin";

interface Lane {
    slack: LocalSlack;
    aws: LocalAws;
    env: Record<string, string>;
}

/** One invocation of a scenario, in a fresh child process: Lambda's retry may land in any container. */
interface Step {
    event: "alarm" | "sweep";
    slack?: SlackAnswer[];
    /** Installs AWS faults for this invocation only. */
    faults?: (aws: LocalAws) => void;
    remainingMs?: number;
}

interface StepRun {
    result: InvocationResult;
    run: ChildRun;
    /** Slack requests of this invocation, in order. */
    requests: SlackRequest[];
    /** AWS calls of this invocation, in order. */
    calls: AwsCall[];
}

interface Row {
    fault: string;
    expected: string;
    observed: string;
    lost: number;
    duplicates: number;
}

interface Outcome {
    runs: StepRun[];
    row: Row;
}

interface Scenario {
    /** The test's name: the rule the scenario checks. */
    rule: string;
    fault: string;
    expected: string;
    /** The AWS operation whose answers the table shows. */
    awsOperation?: string;
    steps: Step[];
    check(outcome: Outcome): void;
}

// A POST answered 2xx "ok"; a redirect followed as a GET, or a 2xx with another body, delivered nothing.
const isAccepted = isAcceptedRequest;

// Secret parts of the webhook URL (LocalSlack's path) and of the Location a redirect names.
const WEBHOOK_SECRETS = ["T00000000/B00000000", "XXXXXXXXXXXXXXXXXXXXXXXX"];
const REDIRECT_LOCATION = "/services/T00000000/B11111111/MOVEDMOVEDMOVEDMOVEDMOVED";

/** Every log line and error of a scenario that names the webhook's path or the redirect's Location. */
function leaksOf(o: Outcome): string[] {
    const secrets = [...WEBHOOK_SECRETS, REDIRECT_LOCATION, "B11111111", "MOVEDMOVED"];
    const texts = o.runs.flatMap((r) => [...(r.run.stdout + "\n" + r.run.stderr).split("\n"), r.result.error?.message ?? ""]);
    return texts.filter((t) => secrets.some((secret) => t.includes(secret)));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const throttles = (count: number): number[] => Array<number>(count).fill(400);

/**
 * Installs throttling that starts only once `after` has been answered, so a later call of the
 * same operation (the UpdateItem that moves the cursor, not the one that takes the lease) is the one that fails.
 */
function throttleAfter(aws: LocalAws, operation: string, count: number, after: string, skip = 0): void {
    let left = count;
    let skipped = 0;
    const queue: AwsFault[] = [];
    queue.shift = () => {
        if (left > 0 && aws.calls.some((c) => c.target === after && c.answeredWith === 200)) {
            if (skipped < skip) {
                skipped += 1;
                return undefined;
            }
            left -= 1;
            return { status: 400, type: "ThrottlingException", message: "Rate exceeded" };
        }
        return undefined;
    };
    aws.faults.set(operation, queue);
}

function answersOf(run: StepRun, operation: string): number[] {
    return run.calls.filter((c) => c.target === operation).map((c) => c.answeredWith);
}

/** The rule's failure when Slack left its message's POST (the invocation's `attempt`-th) unconfirmed. */
function unconfirmed(attempt: number): RegExp {
    return new RegExp(
        `^Sign-in alerts failed for 1 rule\\(s\\): ${RULE_ID}: SlackUnconfirmedError: Slack did not confirm the message \\(attempt ${attempt}: .+\\) and may have posted it; it is not sent again in this invocation\\.$`,
    );
}

function ruleFailure(detail: string): InvocationResult {
    return { ok: false, error: { name: "Error", message: `Sign-in alerts failed for 1 rule(s): ${RULE_ID}: ${detail}` } };
}

// Both console-signin fixtures in one message.
const ALARM_OK: InvocationResult = { ok: true, value: { trigger: "sns", rulesScanned: [RULE_ID], posted: 2, messages: 1, skipped: [] } };

function assertPostedOnce({ row }: Outcome): void {
    assert.strictEqual(row.lost, 0, `sign-ins lost: ${row.observed}`);
    assert.strictEqual(row.duplicates, 0, `duplicates: ${row.observed}`);
}

function slackScenarios(expectedCount: () => number): Scenario[] {
    const gapsOf = (run: StepRun): number[] => run.requests.slice(1).map((r, i) => r.at - run.requests[i]!.at);
    const scenarios: Scenario[] = [
        {
            rule: "waits out each 429's Retry-After, then posts every sign-in once",
            fault: "Slack 429 ×2 (Retry-After: 1), then 200",
            expected: "one invocation succeeds; 1 s between attempts; posted once",
            steps: [
                {
                    event: "alarm",
                    slack: Array.from({ length: 2 }, () => ({ status: 429, body: "rate_limited", headers: { "Retry-After": "1" } })),
                },
            ],
            check(o) {
                const [run] = o.runs;
                assert.deepStrictEqual(run!.result, ALARM_OK, run!.run.stderr);
                assert.deepStrictEqual(
                    run!.requests.map((r) => r.answeredWith),
                    [429, 429, 200],
                );
                // Timers may fire a millisecond or two early against Date.now().
                assert.ok(
                    gapsOf(run!).every((g) => g >= 995),
                    `gaps ${gapsOf(run!).join(", ")} ms`,
                );
                assertPostedOnce(o);
            },
        },
        {
            rule: "waits a second after a 429 that carries no Retry-After header, as postToSlack documents",
            fault: "Slack 429 ×2 without Retry-After, then 200",
            expected: "one invocation succeeds; ≥ 1 s between attempts; posted once",
            steps: [{ event: "alarm", slack: Array.from({ length: 2 }, () => ({ status: 429, body: "rate_limited" })) }],
            check(o) {
                const [run] = o.runs;
                assert.deepStrictEqual(run!.result, ALARM_OK, run!.run.stderr);
                assertPostedOnce(o);
                const gaps = gapsOf(run!);
                assert.ok(
                    gaps.every((g) => g >= 995),
                    `retried ${gaps.join(" ms, ")} ms after each 429: Number(null) is 0, so a missing Retry-After means no wait at all`,
                );
            },
        },
    ];
    // An incoming webhook has no idempotency key: after a 5xx, a reset or no answer in time, Slack
    // may have posted the message. The invocation fails without a second POST, and each later
    // invocation that finds the sign-ins unrecorded sends them once. These rows count the copies exactly.
    for (const [fault, answer, answered, when] of [
        ["Slack answers 500 without posting", { status: 500, body: "internal_error" }, 500, "answers 500"],
        ["Slack resets the connection without posting", { reset: true }, "reset", "resets the connection"],
        ["Slack answers after 1.5 s (timeout 1 s) without posting", { delayMs: 1500 }, "timeout", "answers only after the timeout"],
        [
            "Slack posts the message, then answers 500",
            { status: 500, body: "internal_error", tookIt: true },
            500,
            "posts the message, then answers 500",
        ],
        [
            "Slack posts the message, then resets the connection",
            { reset: true, tookIt: true },
            "reset",
            "posts the message, then resets the connection",
        ],
        [
            "Slack posts the message, then answers after 1.5 s (timeout 1 s)",
            { delayMs: 1500, tookIt: true },
            "timeout",
            "posts the message, then answers only after the timeout",
        ],
    ] as const) {
        const tookIt = "tookIt" in answer;
        scenarios.push({
            rule: `fails without a second POST when Slack ${when}, and the Lambda retry posts every sign-in${tookIt ? " again: two copies in all" : " once"}`,
            fault: `${fault}; then 200`,
            expected: `#1 fails at once (SlackUnconfirmedError), one POST; the Lambda retry posts: ${tookIt ? "1 duplicate per sign-in" : "posted once"}, none lost`,
            steps: [{ event: "alarm", slack: [answer] }, { event: "alarm" }],
            check(o) {
                const [first, retry] = o.runs;
                assert.match(first!.result.error?.message ?? "", unconfirmed(1), first!.run.stderr);
                assert.deepStrictEqual(
                    o.runs.map((r) => r.requests.map((q) => q.answeredWith)),
                    [[answered], [200]],
                );
                assert.deepStrictEqual(retry!.result, ALARM_OK, retry!.run.stderr);
                assert.strictEqual(o.row.lost, 0, o.row.observed);
                assert.strictEqual(o.row.duplicates, tookIt ? expectedCount() : 0, o.row.observed);
            },
        });
    }
    scenarios.push({
        rule: "honours a 429 with Retry-After: 3600 for the rest of the sweep: no further POST, the invocation fails with SlackRateLimitedError, and the next sweep after the block posts every sign-in once",
        fault: "Slack 429 Retry-After: 3600 during a sweep of every rule",
        expected: "#1 fails at once (SlackRateLimitedError), one POST, nothing recorded; the sweep after the block posts once",
        steps: [{ event: "sweep", slack: [{ status: 429, body: "rate_limited", headers: { "Retry-After": "3600" } }] }, { event: "sweep" }],
        check(o) {
            assert.strictEqual(o.runs[0]!.result.ok, false, o.runs[0]!.run.stderr);
            assert.match(o.runs[0]!.result.error!.message, /SlackRateLimitedError: Slack answered 429 and asked for no message before /);
            assert.doesNotMatch(o.runs[0]!.result.error!.message, /SlackUnavailableError|SlackRejectedError/);
            assert.deepStrictEqual(
                o.runs[0]!.requests.map((r) => r.answeredWith),
                [429],
            );
            assert.deepStrictEqual(
                o.runs[0]!.calls.filter((c) => c.target === "BatchWriteItem"),
                [],
            );
            assert.strictEqual(o.runs[1]!.result.ok, true, o.runs[1]!.run.stderr);
            assertPostedOnce(o);
        },
    });
    scenarios.push({
        rule: "sends the message once per invocation while Slack leaves it unconfirmed, and records it in the first invocation Slack confirms: one copy per invocation that tried it",
        fault: "Slack posts the message, then answers 500, in two invocations; then 200",
        expected:
            "#1 and #2 fail at once (SlackUnconfirmedError), one POST each; #3 posts: 2 duplicates per sign-in, none lost; #4 posts nothing",
        steps: [
            { event: "alarm", slack: [{ status: 500, body: "internal_error", tookIt: true }] },
            { event: "alarm", slack: [{ status: 500, body: "internal_error", tookIt: true }] },
            { event: "alarm" },
            { event: "alarm" },
        ],
        check(o) {
            assert.match(o.runs[0]!.result.error?.message ?? "", unconfirmed(1), o.runs[0]!.run.stderr);
            assert.match(o.runs[1]!.result.error?.message ?? "", unconfirmed(1), o.runs[1]!.run.stderr);
            assert.deepStrictEqual(
                o.runs.map((r) => r.requests.map((q) => q.answeredWith)),
                [[500], [500], [200], []],
            );
            assert.deepStrictEqual(o.runs[2]!.result, ALARM_OK, o.runs[2]!.run.stderr);
            assert.strictEqual(o.row.lost, 0, o.row.observed);
            assert.strictEqual(o.row.duplicates, 2 * expectedCount(), o.row.observed);
        },
    });
    scenarios.push({
        rule: "never posts twice when the connection resets before Slack took the message, one POST per invocation until it answers",
        fault: "Slack resets the connection without posting, in two invocations; then 200",
        expected: "#1 and #2 fail at once (SlackUnconfirmedError); #3 posts once",
        steps: [{ event: "alarm", slack: [{ reset: true }] }, { event: "alarm", slack: [{ reset: true }] }, { event: "alarm" }],
        check(o) {
            assert.deepStrictEqual(
                o.runs.map((r) => r.requests.map((q) => q.answeredWith)),
                [["reset"], ["reset"], [200]],
            );
            assert.deepStrictEqual(o.runs[2]!.result, ALARM_OK, o.runs[2]!.run.stderr);
            assertPostedOnce(o);
        },
    });
    // Lambda's own retries of such an invocation meet the same answer; what matters is that nothing
    // is recorded as posted, so the first sweep after the fix still finds every sign-in.
    // A message Slack refuses must not hold back its rule: the batch is split and sent again.
    scenarios.push({
        rule: "degrades a message Slack answers 400 invalid_payload: splits it and posts every sign-in once, in the same invocation",
        fault: "Slack 400 invalid_payload for a message of two sign-ins, then 200",
        expected: "the batch is split in halves and re-sent; #1 succeeds, posted once",
        steps: [{ event: "alarm", slack: [{ status: 400, body: "invalid_payload" }] }],
        check(o) {
            assert.deepStrictEqual(
                o.runs[0]!.result,
                { ok: true, value: { trigger: "sns", rulesScanned: [RULE_ID], posted: 2, messages: 2, skipped: [] } },
                o.runs[0]!.run.stderr,
            );
            assert.deepStrictEqual(
                o.runs[0]!.requests.map((r) => r.answeredWith),
                [400, 200, 200],
            );
            assertPostedOnce(o);
        },
    });
    for (const [status, body, meaning] of [
        [404, "no_service", "webhook deleted"],
        [403, "invalid_token", "webhook revoked"],
        [410, "channel_is_archived", "channel archived"],
    ] as const) {
        scenarios.push({
            rule: `does not retry ${status} ${body}: one request, the invocation fails with Slack's reason, and the sweep after the fix posts every sign-in once`,
            fault: `Slack ${status} ${body} (${meaning}), fixed before the next sweep`,
            expected: "#1 fails at once with Slack's reason; the sweep posts once",
            steps: [{ event: "alarm", slack: [{ status, body }] }, { event: "sweep" }],
            check(o) {
                assert.deepStrictEqual(
                    o.runs[0]!.result,
                    ruleFailure(
                        `SlackRejectedError: Slack rejected the message with HTTP ${status} ${body}; retrying cannot help, fix the webhook or payload.`,
                    ),
                );
                assert.deepStrictEqual(
                    o.runs[0]!.requests.map((r) => r.answeredWith),
                    [status],
                );
                assert.strictEqual(o.runs[1]!.result.ok, true, o.runs[1]!.run.stderr);
                assertPostedOnce(o);
            },
        });
    }
    // node-fetch follows 301/302/303 by re-sending the POST as a bodiless GET, and a 200 at the end
    // used to count as delivered. An incoming webhook never redirects: fail at once, follow nothing.
    for (const status of [301, 302, 307] as const) {
        scenarios.push({
            rule: `does not follow a ${status} redirect to another path: one POST and no GET, the invocation fails without naming the webhook or the Location, and the sweep after the fix posts every sign-in once`,
            fault: `Slack ${status} with Location on another path (then 200 "ok" there), fixed before the next sweep`,
            expected: "#1 fails at once (SlackRejectedError), one POST, nothing follows it; no URL in any log line; the sweep posts once",
            steps: [
                {
                    event: "alarm",
                    slack: [
                        { status, redirectTo: REDIRECT_LOCATION },
                        { status: 200, body: "ok" },
                    ],
                },
                { event: "sweep" },
            ],
            check(o) {
                assert.deepStrictEqual(
                    o.runs[0]!.result,
                    ruleFailure(
                        `SlackRejectedError: Slack rejected the message with HTTP ${status} (a redirect, not followed); retrying cannot help, check the webhook URL in the parameter.`,
                    ),
                    o.runs[0]!.run.stderr,
                );
                assert.deepStrictEqual(
                    o.runs[0]!.requests.map((r) => `${r.method} ${r.answeredWith}`),
                    [`POST ${status}`],
                );
                assert.deepStrictEqual(o.runs[0]!.requests.filter(isAccepted), []);
                assert.deepStrictEqual(leaksOf(o), []);
                assert.strictEqual(o.runs[1]!.result.ok, true, o.runs[1]!.run.stderr);
                assertPostedOnce(o);
            },
        });
    }
    scenarios.push({
        rule: 'does not count a 200 whose body is not "ok" as delivered: the invocation fails at once, and the sweep after the fix posts every sign-in once',
        fault: 'Slack 200 "not ok", fixed before the next sweep',
        expected: "#1 fails at once (SlackRejectedError), nothing recorded as posted; the sweep posts once",
        steps: [{ event: "alarm", slack: [{ status: 200, body: "not ok" }] }, { event: "sweep" }],
        check(o) {
            assert.deepStrictEqual(
                o.runs[0]!.result,
                ruleFailure(
                    'SlackRejectedError: Slack did not confirm the message: HTTP 200 with body "not ok" instead of "ok"; retrying cannot help, check the webhook URL in the parameter.',
                ),
                o.runs[0]!.run.stderr,
            );
            assert.deepStrictEqual(
                o.runs[0]!.requests.map((r) => r.answeredWith),
                [200],
            );
            assert.deepStrictEqual(leaksOf(o), []);
            assert.strictEqual(o.runs[1]!.result.ok, true, o.runs[1]!.run.stderr);
            assertPostedOnce(o);
        },
    });
    return scenarios;
}

function awsScenarios(expectedCount: () => number): Scenario[] {
    const scenarios: Scenario[] = [];
    for (const [operation, service, when] of [
        ["GetParameter", "SSM", "reading the webhook"],
        ["FilterLogEvents", "CloudWatch Logs", "looking the events up"],
    ] as const) {
        const attempts = SDK_ATTEMPTS[operation];
        scenarios.push(
            {
                rule: `lets the SDK's own retries absorb ${ABSORBED} ${service} ${operation} throttles while ${when}`,
                fault: `${operation} throttled ×${ABSORBED}`,
                expected: "SDK retries absorb it; one invocation succeeds; posted once",
                awsOperation: operation,
                steps: [{ event: "alarm", faults: (aws) => aws.throttle(operation, ABSORBED) }],
                check(o) {
                    assert.deepStrictEqual(o.runs[0]!.result, ALARM_OK, o.runs[0]!.run.stderr);
                    assert.deepStrictEqual(answersOf(o.runs[0]!, operation), [...throttles(ABSORBED), 200]);
                    assertPostedOnce(o);
                },
            },
            {
                rule: `fails on ${service} ${operation} throttling that outlasts the SDK's retries, before posting, and the Lambda retry posts every sign-in once`,
                fault: `${operation} throttled ×${attempts}`,
                expected: "#1 fails before posting; the Lambda retry posts once",
                awsOperation: operation,
                steps: [{ event: "alarm", faults: (aws) => aws.throttle(operation, attempts) }, { event: "alarm" }],
                check(o) {
                    assert.deepStrictEqual(o.runs[0]!.result, ruleFailure("ThrottlingException: Rate exceeded"), o.runs[0]!.run.stderr);
                    assert.deepStrictEqual(answersOf(o.runs[0]!, operation), throttles(attempts));
                    assert.deepStrictEqual(o.runs[0]!.requests, []);
                    assert.deepStrictEqual(o.runs[1]!.result, ALARM_OK, o.runs[1]!.run.stderr);
                    assertPostedOnce(o);
                },
            },
        );
    }
    scenarios.push(
        {
            rule: `lets the SDK's own retries absorb ${ABSORBED} DynamoDB BatchWriteItem throttles after Slack accepted the message`,
            fault: `BatchWriteItem throttled ×${ABSORBED} after the post`,
            expected: "SDK retries absorb it; posted once",
            awsOperation: "BatchWriteItem",
            steps: [{ event: "alarm", faults: (aws) => aws.throttle("BatchWriteItem", ABSORBED) }],
            check(o) {
                assert.deepStrictEqual(o.runs[0]!.result, ALARM_OK, o.runs[0]!.run.stderr);
                assert.deepStrictEqual(answersOf(o.runs[0]!, "BatchWriteItem"), [...throttles(ABSORBED), 200]);
                assertPostedOnce(o);
            },
        },
        {
            rule: "does not re-post a message Slack accepted when recording it is throttled for less time than the invocation has left",
            fault: `BatchWriteItem throttled ×${SDK_ATTEMPTS.BatchWriteItem} after the post, minutes before the deadline`,
            expected: "recording is retried while time remains; posted once",
            awsOperation: "BatchWriteItem",
            steps: [{ event: "alarm", faults: (aws) => aws.throttle("BatchWriteItem", SDK_ATTEMPTS.BatchWriteItem) }, { event: "alarm" }],
            check(o) {
                assert.strictEqual(o.row.lost, 0, o.row.observed);
                assert.strictEqual(
                    o.row.duplicates,
                    0,
                    `${o.row.observed}: markPosted gives up when the SDK's ${SDK_ATTEMPTS.BatchWriteItem} attempts fail, seconds into a five-minute invocation, so the Lambda retry posts the same sign-ins again`,
                );
            },
        },
        {
            // An incoming webhook has no idempotency key: once Slack has the message and the record
            // cannot be written before the deadline, the choice is a duplicate or a possible loss.
            rule: "re-posts at most once when DynamoDB refuses to record an accepted message for the whole invocation (the at-least-once window)",
            fault: "BatchWriteItem throttled after the post until the deadline",
            expected: "#1 fails; the retry re-posts: 1 duplicate per sign-in, none lost",
            awsOperation: "BatchWriteItem",
            steps: [
                { event: "alarm", faults: (aws) => aws.throttle("BatchWriteItem", 10000), remainingMs: SAFETY_MS + 4000 },
                { event: "alarm" },
            ],
            check(o) {
                assert.deepStrictEqual(o.runs[0]!.result, ruleFailure("ThrottlingException: Rate exceeded"), o.runs[0]!.run.stderr);
                assert.deepStrictEqual(
                    o.runs.map((r) => r.requests.map((q) => q.answeredWith)),
                    [[200], [200]],
                );
                assert.deepStrictEqual(o.runs[1]!.result, ALARM_OK, o.runs[1]!.run.stderr);
                assert.strictEqual(o.row.lost, 0);
                assert.strictEqual(o.row.duplicates, expectedCount());
            },
        },
        {
            rule: "fails on lease (UpdateItem) throttling before anything is posted, and the Lambda retry posts every sign-in once",
            fault: `UpdateItem (lease) throttled ×${SDK_ATTEMPTS.UpdateItem}`,
            expected: "#1 fails before posting; the Lambda retry posts once",
            awsOperation: "UpdateItem",
            steps: [{ event: "alarm", faults: (aws) => aws.throttle("UpdateItem", SDK_ATTEMPTS.UpdateItem) }, { event: "alarm" }],
            check(o) {
                assert.deepStrictEqual(
                    o.runs[0]!.result,
                    {
                        ok: false,
                        error: {
                            name: "Error",
                            message:
                                "Sign-in alerts failed: the lease of rule console-signin could not be taken: ThrottlingException: Rate exceeded",
                        },
                    },
                    o.runs[0]!.run.stderr,
                );
                assert.deepStrictEqual(o.runs[0]!.requests, []);
                assert.deepStrictEqual(o.runs[1]!.result, ALARM_OK, o.runs[1]!.run.stderr);
                assertPostedOnce(o);
            },
        },
        {
            rule: "does not re-post when only the cursor update (UpdateItem) is throttled after the post, and lets the lease go for the retry",
            fault: `UpdateItem (cursor) throttled ×${SDK_ATTEMPTS.UpdateItem} after the post`,
            expected: "#1 fails after recording; the retry posts nothing new",
            awsOperation: "UpdateItem",
            steps: [
                // After the post, the message's two principals' first-seen histories are written in one
                // TransactWriteItems; the next UpdateItem gives the lease up and moves the cursor.
                { event: "alarm", faults: (aws) => throttleAfter(aws, "UpdateItem", SDK_ATTEMPTS.UpdateItem, "BatchWriteItem") },
                { event: "alarm" },
            ],
            check(o) {
                assert.deepStrictEqual(o.runs[0]!.result, ruleFailure("ThrottlingException: Rate exceeded"), o.runs[0]!.run.stderr);
                // The lease taken; its release with the cursor throttled until the SDK gives up (the
                // histories before it); then the lease released alone, so the retry need not wait.
                assert.deepStrictEqual(answersOf(o.runs[0]!, "UpdateItem"), [200, ...throttles(SDK_ATTEMPTS.UpdateItem), 200]);
                assert.deepStrictEqual(answersOf(o.runs[0]!, "TransactWriteItems"), [200]);
                assert.deepStrictEqual(
                    o.runs[0]!.requests.map((r) => r.answeredWith),
                    [200],
                );
                assert.deepStrictEqual(o.runs[1]!.result, {
                    ok: true,
                    value: { trigger: "sns", rulesScanned: [RULE_ID], posted: 0, messages: 0, skipped: [] },
                });
                assert.deepStrictEqual(o.runs[1]!.requests, []);
                assertPostedOnce(o);
            },
        },
    );
    return scenarios;
}

describe("the deployed handler when Slack or AWS misbehaves", function () {
    let fn: DeployedFunction;
    let lanes: Lane[] = [];
    let alarmEvent: unknown;
    let sweepEvent: unknown;
    let trailMessages: string[];
    /** Sign-ins the console-signin alarm is about: the fixtures its filter pattern matches. */
    let expectedIds: string[] = [];
    let rules: Array<{ id: string; title: string; alarmName: string; pattern: string }> = [];
    const slackGroup = slackScenarios(() => expectedIds.length);
    const awsGroup = awsScenarios(() => expectedIds.length);
    const outcomes = new Map<Scenario, Outcome | Error>();

    /** Runs a scenario's invocations one after another on a lane, and measures what reached Slack. */
    async function runScenario(lane: Lane, scenario: Scenario): Promise<Outcome> {
        const { slack, aws } = lane;
        aws.logEvents.length = 0;
        await aws.resetTable(fn.environment["STATE_TABLE_NAME"]!);
        aws.parameters.clear();
        aws.parameters.set(fn.environment["WEBHOOK_PARAMETER_NAME"]!, { type: "SecureString", value: slack.webhookUrl });
        trailIsHealthy(fn, aws);
        const at = Date.now() - 120000;
        for (const message of trailMessages) {
            aws.logEvents.push({ logGroupName: fn.environment["TRAIL_LOG_GROUP_NAME"]!, timestamp: at, message });
        }
        const runs: StepRun[] = [];
        for (const step of scenario.steps) {
            slack.reset(step.slack ?? []);
            aws.faults.clear();
            aws.calls.length = 0;
            step.faults?.(aws);
            const run = await invokeInChild(fn, [step.event === "alarm" ? alarmEvent : sweepEvent], {
                env: lane.env,
                remainingMs: step.remainingMs,
            });
            // A stalled answer is only marked as timed out once its delay has passed.
            const stall = Math.max(0, ...(step.slack ?? []).map((a) => a.delayMs ?? 0));
            if (stall > 0) {
                await sleep(stall + 50);
            }
            assert.strictEqual(run.results.length, 1, run.stderr);
            runs.push({ result: run.results[0]!, run, requests: [...slack.requests], calls: [...aws.calls] });
        }
        return { runs, row: measure(scenario, runs) };
    }

    /**
     * `rule#eventId` for each sign-in of a posted payload. Events are recorded per rule (a root
     * sign-in without MFA belongs in two rules' reports), so only a repeat under one rule is a
     * duplicate. The rule is the one whose title heads the message, the longest that fits.
     */
    function postedKeys(payload: unknown): string[] {
        const heading =
            (payload as { blocks?: Array<{ type: string; text?: { text?: string } }> }).blocks?.find((b) => b.type === "header")?.text
                ?.text ?? "";
        const title = heading.replace(/^:\w+: /, "");
        const rule = [...rules].sort((a, b) => b.title.length - a.title.length).find((r) => title.startsWith(r.title));
        return postedEventIds(payload).map((id) => `${rule?.id ?? "?"}#${id}`);
    }

    function measure(scenario: Scenario, runs: StepRun[]): Row {
        // What reached the channel, including messages Slack took before its answer went wrong.
        const posted = runs.flatMap((r) => r.requests.filter(isDeliveredRequest).flatMap((q) => postedKeys(q.payload)));
        const unanswered = runs.flatMap((r) => r.requests).filter((q) => q.answeredWith === "reset" || q.answeredWith === "timeout").length;
        const summarize = (r: StepRun, i: number): string => {
            const status = r.result.ok
                ? `ok, posted ${(r.result.value as { posted: number }).posted}`
                : `failed (${/: (\w+Error|\w+Exception): /.exec(r.result.error!.message)?.[1] ?? r.result.error!.name})`;
            // A request other than the POST itself (a followed redirect) shows its method.
            // "posted+" marks a request Slack took before its answer went wrong.
            const answers =
                r.requests
                    .map((q) => `${q.method === "POST" ? "" : `${q.method} `}${q.tookIt ? "posted+" : ""}${q.answeredWith}`)
                    .join(",") || "none";
            const gaps =
                r.requests.length > 1 && r.requests.some((q) => q.answeredWith === 429)
                    ? ` (gaps ${r.requests
                          .slice(1)
                          .map((q, j) => q.at - r.requests[j]!.at)
                          .join(", ")} ms)`
                    : "";
            const op = scenario.awsOperation;
            const awsAnswers = op ? `; ${op} ${answersOf(r, op).join(",") || "none"}` : "";
            return `#${i + 1} ${status}; Slack ${answers}${gaps}${awsAnswers}`;
        };
        const observed = runs.map(summarize).join(" → ");
        return {
            fault: scenario.fault,
            expected: scenario.expected,
            observed: unanswered > 0 ? `${observed} (${unanswered} request(s) reached Slack unanswered)` : observed,
            lost: expectedIds.filter((id) => !posted.includes(`${RULE_ID}#${id}`)).length,
            duplicates: posted.length - new Set(posted).size,
        };
    }

    before(async function () {
        this.timeout(240000);
        fn = unpackFunction(await defaultProgram());
        rules = readSettings(fn.environment, functionConfigFor()).rules;
        const rule = rules.find((r) => r.id === RULE_ID)!;
        alarmEvent = alarmNotification({ AlarmName: rule.alarmName });
        sweepEvent = fixture("events_scheduled-sweep");
        // Every CloudTrail fixture goes into the log group; the rules' own patterns pick their events out.
        const dir = path.join(__dirname, "fixtures");
        trailMessages = fs
            .readdirSync(dir)
            .filter((f) => f.startsWith("cloudtrail_"))
            .sort()
            .map((f) => JSON.stringify(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"))));
        expectedIds = trailMessages
            .filter((m) => matchesFilterPattern(rule.pattern, m))
            .map((m) => (JSON.parse(m) as { eventID: string }).eventID);
        assert.deepStrictEqual(expectedIds, ["27d68ec1-1016-46b5-8fd3-31d9cdc74f95", "0a0f0240-683b-4770-8855-f823e9dcb758"]);

        lanes = await Promise.all(
            Array.from({ length: LANES }, async () => {
                const slack = await new LocalSlack().start();
                const aws = await new LocalAws().start();
                return { slack, aws, env: { ...aws.env(), ...slack.env(), ...KNOBS } };
            }),
        );
        const started = Date.now();
        const queue = [...awsGroup, ...slackGroup];
        await Promise.all(
            lanes.map(async (lane) => {
                for (let next = queue.shift(); next; next = queue.shift()) {
                    const scenario = next;
                    outcomes.set(scenario, await runScenario(lane, scenario).catch((err: Error) => err));
                }
            }),
        );
        console.log(`      ${outcomes.size} scenarios in ${((Date.now() - started) / 1000).toFixed(1)} s on ${LANES} lanes`);
    });

    after(async function () {
        for (const { slack, aws } of lanes) {
            await slack.stop();
            await aws.stop();
        }
        if (fn) {
            fs.rmSync(fn.dir, { recursive: true, force: true });
            fs.rmSync(fn.runtimeModules, { recursive: true, force: true });
        }
        const cell = (s: string | number): string => String(s).replace(/\|/g, "\\|");
        console.log("\n| fault | expected outcome | observed outcome | sign-ins lost | duplicates posted |");
        console.log("| --- | --- | --- | --- | --- |");
        for (const scenario of [...slackGroup, ...awsGroup]) {
            const outcome = outcomes.get(scenario);
            if (outcome && !(outcome instanceof Error)) {
                const r = outcome.row;
                console.log(`| ${cell(r.fault)} | ${cell(r.expected)} | ${cell(r.observed)} | ${r.lost} | ${r.duplicates} |`);
            }
        }
    });

    for (const [group, scenarios] of [
        ["Slack", slackGroup],
        ["AWS", awsGroup],
    ] as const) {
        describe(group, function () {
            for (const scenario of scenarios) {
                it(scenario.rule, function () {
                    const outcome = outcomes.get(scenario);
                    if (outcome === undefined || outcome instanceof Error) {
                        throw outcome ?? new Error("the scenario did not run");
                    }
                    scenario.check(outcome);
                });
            }
        });
    }
});
