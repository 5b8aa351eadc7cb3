import { dispose, type Disposition } from "./allow";
import { buildOkMessage, buildPendingMessage, buildSignInMessages, type Presentation, type SlackMessage } from "./format";
import { createAwsPorts, log, postToSlack, realClock, type AwsPorts, type Clock, type FetchLike } from "./io";
import { alarmWindow, classifyTrigger, lookupWindow, parseAlarmNotification, parseCloudTrailRecord, ruleForAlarm, toSignIn } from "./parse";
import { readSettings, type FunctionConfig } from "../shared/contract";
import type { AlarmNotification, SignIn } from "./types";
import type { HandlerSettings, RuleSpec } from "../shared/contract";

/** The part of the Lambda context the handler uses. */
export interface InvocationContext {
    awsRequestId: string;
    getRemainingTimeInMillis(): number;
}

/** What one invocation did; returned to Lambda and asserted by tests. */
export interface InvocationReport {
    trigger: "sweep" | "sns" | "unknown";
    rulesScanned: string[];
    posted: number;
    messages: number;
    skipped: string[];
}

// Records of posted events outlive any lookup window by a wide margin.
const POSTED_TTL_SECONDS = 14 * 24 * 3600;
// Never search further back than this, even after a long outage.
const MAX_LOOKBACK_MS = 7 * 24 * 3600 * 1000;
// Time kept back from the Lambda deadline to record progress and release the lease.
const SAFETY_MS = 5000;
// How long an invocation waits for another one's sweep to finish before leaving the work to it.
const LEASE_WAIT_MS = 30000;

export interface HandlerDeps {
    settings: HandlerSettings;
    aws: AwsPorts;
    fetch: FetchLike;
    clock?: Clock;
}

/**
 * Builds the function's handler. Every invocation (alarm ALARM or OK, or the scheduled sweep)
 * reports all matching events after the rule's cursor minus the lag allowance that are not yet
 * recorded as posted, so nothing depends on the alarm changing state at the right moment.
 */
export function createHandler(deps: HandlerDeps): (event: unknown, context: InvocationContext) => Promise<InvocationReport> {
    const { settings, aws } = deps;
    const clock = deps.clock ?? realClock;
    const presentation: Presentation = { timeZone: settings.timeZone, accountLabels: settings.accountLabels, mentions: settings.mentions };
    let webhook: string | undefined;
    let lastPostAt = 0;

    async function send(message: SlackMessage, deadlineMs: number): Promise<void> {
        webhook ??= await aws.getSecureParameter(settings.webhookParameterName);
        // Slack allows about one message per second per webhook.
        const gap = lastPostAt + settings.minPostIntervalMs - clock.now();
        if (gap > 0) {
            await clock.sleep(gap);
        }
        await postToSlack(
            deps.fetch,
            webhook,
            message,
            {
                deadlineMs,
                requestTimeoutMs: settings.slackTimeoutMs,
                backoffBaseMs: settings.slackBackoffBaseMs,
                backoffCapMs: settings.slackBackoffCapMs,
            },
            clock,
        );
        lastPostAt = clock.now();
    }

    /**
     * Records what Slack accepted. A failure here would make the retry post it again, so it keeps
     * trying through the time held back from the deadline for exactly this.
     */
    async function recordPosted(keys: string[], expiresAt: number, deadlineMs: number): Promise<void> {
        const giveUpAt = deadlineMs + SAFETY_MS - 1000;
        for (let attempt = 1; ; attempt++) {
            try {
                await aws.store.markPosted(keys, expiresAt);
                return;
            } catch (err) {
                const waitMs = Math.min(2000, 100 * 2 ** attempt);
                if (clock.now() + waitMs >= giveUpAt) {
                    throw err;
                }
                log("warn", "could not record posted events yet; retrying", { attempt, error: (err as Error).message });
                await clock.sleep(waitMs);
            }
        }
    }

    async function sweepRule(
        rule: RuleSpec,
        alarm: AlarmNotification | undefined,
        deadlineMs: number,
        report: InvocationReport,
    ): Promise<void> {
        const nowMs = clock.now();
        const cursorMs = await aws.store.getCursor(rule.id);
        const window = lookupWindow({
            nowMs,
            cursorMs,
            alarm: alarm ? alarmWindow(alarm) : undefined,
            lagAllowanceMs: settings.lagAllowanceMinutes * 60000,
            maxLookbackMs: MAX_LOOKBACK_MS,
        });
        const events = await aws.filterLogEvents(settings.trailLogGroupName, rule.pattern, window);
        const byId = new Map<string, SignIn>();
        for (const event of events) {
            const parsed = parseCloudTrailRecord(event.message);
            if (!parsed.ok) {
                report.skipped.push(`${rule.id}: ${parsed.reason}`);
                log("warn", "skipped a log event", { rule: rule.id, reason: parsed.reason });
                continue;
            }
            byId.set(parsed.value.eventID, toSignIn(parsed.value));
        }
        // Keyed by rule as well: a root sign-in without MFA belongs in both its rules' reports.
        const postedKey = (eventId: string) => `${rule.id}#${eventId}`;
        const fresh = await aws.store.unposted([...byId.keys()].map(postedKey));
        const toPost = [...byId.values()].filter((s) => fresh.has(postedKey(s.eventId)));
        const expiresAt = Math.floor(nowMs / 1000) + POSTED_TTL_SECONDS;

        const dispositions = new Map(toPost.map((s) => [s.eventId, dispose(settings.allowList, rule.id, s)]));
        const withDisposition = (d: Disposition) => toPost.filter((s) => dispositions.get(s.eventId) === d);
        const reported = withDisposition("report");
        const downgraded = withDisposition("downgrade");
        const suppressed = withDisposition("suppress");
        log("info", "looked up events", {
            rule: rule.id,
            window,
            found: byId.size,
            new: toPost.length,
            downgraded: downgraded.length,
            suppressed: suppressed.length,
        });
        if (suppressed.length > 0) {
            // Known sign-ins are recorded as handled so the next lookup does not consider them again.
            await aws.store.markPosted(
                suppressed.map((s) => postedKey(s.eventId)),
                expiresAt,
            );
        }
        // Downgraded sign-ins are posted as informational, without the rule's mention.
        const knownRule: RuleSpec = { ...rule, title: `${rule.title} (known)`, severity: "info" };
        const batches = [
            ...buildSignInMessages(rule, reported, presentation),
            ...buildSignInMessages(knownRule, downgraded, { ...presentation, mentions: {} }),
        ];
        for (const { message, eventIds } of batches) {
            await send(message, deadlineMs);
            // Recorded per message, so a failure later in the batch re-posts only what Slack did not take.
            await recordPosted(eventIds.map(postedKey), expiresAt, deadlineMs);
            report.posted += eventIds.length;
            report.messages += 1;
        }

        if (alarm) {
            const noteKey = `alarm#${alarm.alarmName}#${alarm.newState}#${alarm.stateChangeTime.toISOString()}`;
            const note =
                alarm.newState === "ALARM" && byId.size === 0
                    ? buildPendingMessage(rule, alarm, presentation)
                    : alarm.newState === "OK" && settings.notifyOnOk
                      ? buildOkMessage(rule, alarm, presentation)
                      : undefined;
            if (note && (await aws.store.unposted([noteKey])).size === 1) {
                await send(note, deadlineMs);
                await recordPosted([noteKey], expiresAt, deadlineMs);
                report.messages += 1;
            }
        }
        await aws.store.setCursor(rule.id, nowMs);
    }

    return async function handler(event, context) {
        const deadlineMs = clock.now() + context.getRemainingTimeInMillis() - SAFETY_MS;
        const trigger = classifyTrigger(event);
        const report: InvocationReport = { trigger: trigger.kind, rulesScanned: [], posted: 0, messages: 0, skipped: [] };
        const work = new Map<string, { rule: RuleSpec; alarm?: AlarmNotification }>();

        if (trigger.kind === "unknown") {
            report.skipped.push(trigger.reason);
            log("warn", "ignored an event that is neither an SNS notification nor the scheduled sweep", { reason: trigger.reason });
            return report;
        }
        if (trigger.kind === "sweep") {
            for (const rule of settings.rules) {
                work.set(rule.id, { rule });
            }
        } else {
            for (const message of trigger.messages) {
                const alarm = message.ok ? parseAlarmNotification(message.value.body) : message;
                if (!alarm.ok) {
                    report.skipped.push(alarm.reason);
                    log("warn", "skipped an SNS record", { reason: alarm.reason });
                    continue;
                }
                const rule = ruleForAlarm(settings.rules, alarm.value.alarmName);
                if (!rule) {
                    report.skipped.push(`alarm ${alarm.value.alarmName} belongs to no rule of this stack`);
                    log("warn", "skipped a notification of an unknown alarm", { alarm: alarm.value.alarmName });
                    continue;
                }
                if (alarm.value.newState === "INSUFFICIENT_DATA") {
                    report.skipped.push(`alarm ${alarm.value.alarmName} went to INSUFFICIENT_DATA`);
                    continue;
                }
                work.set(rule.id, { rule, alarm: alarm.value });
            }
        }
        if (work.size === 0) {
            log("info", "invocation done", { ...report });
            return report;
        }

        // One sweep at a time: two concurrent ones would both see the same events as unposted.
        const leaseUntil = deadlineMs + SAFETY_MS;
        const tryLease = async (): Promise<boolean> => {
            try {
                return await aws.store.acquireLease(context.awsRequestId, leaseUntil, clock.now());
            } catch (err) {
                log("error", "could not take the sweep lease", { error: (err as Error).message, name: (err as Error).name });
                throw new Error(
                    `Sign-in alerts failed: the sweep lease could not be taken: ${(err as Error).name}: ${(err as Error).message}`,
                );
            }
        };
        let leased = await tryLease();
        const waitUntil = Math.min(clock.now() + LEASE_WAIT_MS, deadlineMs);
        while (!leased && clock.now() < waitUntil) {
            await clock.sleep(2000);
            leased = await tryLease();
        }
        if (!leased) {
            // The holder's sweep, or the next scheduled one, covers these events: the cursors have not moved past them.
            log("info", "another invocation is sweeping; leaving the work to it");
            report.skipped.push("another invocation holds the sweep lease");
            return report;
        }

        const failures: string[] = [];
        try {
            for (const { rule, alarm } of work.values()) {
                report.rulesScanned.push(rule.id);
                try {
                    await sweepRule(rule, alarm, deadlineMs, report);
                } catch (err) {
                    failures.push(`${rule.id}: ${(err as Error).name}: ${(err as Error).message}`);
                    log("error", "rule failed", { rule: rule.id, error: (err as Error).message, name: (err as Error).name });
                }
            }
        } finally {
            // The lease expires on its own; a failed release must not hide the outcome above.
            await aws.store.releaseLease(context.awsRequestId).catch((err: Error) => {
                log("warn", "could not release the sweep lease; it will expire", { error: err.message });
            });
        }
        log("info", "invocation done", { ...report });
        if (failures.length > 0) {
            // Failing the invocation makes Lambda retry it and, after the retries, dead-letter it.
            throw new Error(`Sign-in alerts failed for ${failures.length} rule(s): ${failures.join("; ")}`);
        }
        return report;
    };
}

/**
 * The factory Lambda runs once per cold start. The program captures only `config`, plain
 * non-secret data; resource names come from the environment and the webhook from SSM at run time.
 */
export function lambdaHandlerFactory(config: FunctionConfig): (event: unknown, context: InvocationContext) => Promise<InvocationReport> {
    const settings = readSettings(process.env, config);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fetch = require("node-fetch") as FetchLike;
    return createHandler({ settings, aws: createAwsPorts(settings.stateTableName), fetch });
}
