import type { ConfirmConfig } from "./confirm";
import type { Severity } from "./severity";
import type { AllowEntry } from "./allowList";

/**
 * The contract between deploy time and run time: what the program tells the function, and the one
 * place that both writes and reads it.
 *
 * Lambda caps a function's environment at 4 KB in all (Lambda Developer Guide, "Working with Lambda
 * environment variables"), so the environment carries only the names of resources that exist once
 * deployed. Everything the stack's configuration decides — the rule table, allow-list, account
 * labels, mentions — is plain, non-secret data in a file beside the function's code
 * (`FUNCTION_CONFIG_FILE`), whose size limit is megabytes. The webhook is in neither: the function
 * reads it from SSM at run time.
 */

export type { Severity } from "./severity";

/** The languages people read the function's messages in; every message comes from that language's catalog. */
export const LANGUAGES = ["en", "ja"] as const;
export type Language = (typeof LANGUAGES)[number];

/** How often a summary of the period's sign-ins is posted; "off" posts none. */
export const SUMMARY_PERIODS = ["off", "daily", "weekly"] as const;
export type SummaryPeriod = (typeof SUMMARY_PERIODS)[number];

/**
 * First-seen detection: how long a principal's sign-in history is kept, and which rules' sign-ins
 * are raised to a severity when they come from a network the principal has not used in that time.
 */
export interface FirstSeenSettings {
    /** Days a network, browser family or region stays "known" after its last sign-in; 0 turns first-seen off. */
    days: number;
    /** Rule id → the severity its sign-ins take when they come from a new network. */
    raiseOnNewNetwork: Record<string, Severity>;
}

/**
 * The time EventBridge Scheduler fired a schedule for, which it writes into the target's input in
 * place of this keyword (EventBridge Scheduler User Guide, "Adding context attributes in EventBridge
 * Scheduler"): UTC, e.g. `2022-03-22T18:59:43Z`.
 */
export const SCHEDULER_SCHEDULED_TIME = "<aws.scheduler.scheduled-time>";

/**
 * The input the summary's schedule sends the function: the handler recognises it by
 * `loginAlertsSummary` and posts the summary of the period that ended at `scheduledTime`, so a
 * request retried or redriven hours later still summarises its own period. Requests without it
 * (sent before it was added, and perhaps still in the dead-letter queue) summarise the period that
 * ended at the invocation's hour.
 */
export interface SummaryRequest {
    loginAlertsSummary: Exclude<SummaryPeriod, "off">;
    scheduledTime?: string;
}

/**
 * Who administers an organization's StackSet: the management account (`SELF`) or a delegated
 * administrator (CloudFormation API Reference, `CallAs`). The program deploys the StackSet so and
 * the function checks its drift so.
 */
export const CALL_AS = ["SELF", "DELEGATED_ADMIN"] as const;
export type CallAs = (typeof CALL_AS)[number];

/**
 * How the organization's StackSet runs its operations, its deployments and its drift detections
 * alike (CloudFormation API Reference, "StackSetOperationPreferences"): each region beside the
 * others (a region that fails does not hold back the rest), half a region's accounts at a time, and
 * a quarter of them may fail before CloudFormation stops there; the instances' status and the drift
 * check report those that did.
 */
export const STACK_SET_OPERATION_PREFERENCES = {
    regionConcurrencyType: "PARALLEL",
    concurrencyMode: "SOFT_FAILURE_TOLERANCE",
    failureTolerancePercentage: 25,
    maxConcurrentPercentage: 50,
} as const;

/**
 * The input the drift check's schedule sends the function of a stack that serves an organization:
 * the handler recognises it by `loginAlertsDriftCheck`, the name of the stack's StackSet, and
 * checks that StackSet's drift as `callAs` administers it (handler/ingest/drift.ts).
 */
export interface DriftCheckRequest {
    loginAlertsDriftCheck: string;
    callAs: CallAs;
}

/** Severities, most urgent first: the order in which an invocation takes rules. */
export const SEVERITY_ORDER: readonly Severity[] = ["critical", "high", "info"];

/** A severity's place in SEVERITY_ORDER: the lower, the more urgent. */
export function severityRank(severity: Severity): number {
    return SEVERITY_ORDER.indexOf(severity);
}

/**
 * How far back the function looks for a rule's events, and how long the dead-letter queue keeps a
 * failed notification: one figure, so that a notification redriven on its last day still finds its
 * events, and so that no outage shorter than this loses an event without a word. 14 days is the
 * longest SQS keeps a message (SQS Developer Guide, "MessageRetentionPeriod").
 */
export const LOOKBACK_LIMIT_SECONDS = 14 * 24 * 3600;

/** One alert rule at run time, as the function sees it: the metric filter's pattern and the alarm that watches it. */
export interface RunTimeRule {
    /** Fixed rule id, e.g. `console-signin`; part of every resource name of the rule. */
    id: string;
    /** Human title shown in the Slack header. */
    title: string;
    /** CloudWatch Logs filter pattern, identical to the metric filter's. */
    pattern: string;
    severity: Severity;
    /** Name of the CloudWatch alarm whose notifications belong to this rule. */
    alarmName: string;
}

/** Everything the function needs to know, read at cold start from its environment and its configuration file. */
export interface HandlerSettings {
    webhookParameterName: string;
    trailLogGroupName: string;
    stateTableName: string;
    /** The operators' SNS topic: events Slack refused and lookback gaps are reported there. Absent only in tests' literals. */
    operatorTopicArn?: string;
    /** IANA time zone used for event times, e.g. `Asia/Tokyo`. */
    timeZone: string;
    rules: RunTimeRule[];
    /** Optional names for account ids, shown beside the id. */
    accountLabels: Record<string, string>;
    /** Post a message when an alarm returns to OK (sign-ins are reported either way). */
    notifyOnOk: boolean;
    /** How far behind the stored cursor each lookup starts, to catch CloudTrail's late deliveries. */
    lagAllowanceMinutes: number;
    /** Slack mention (e.g. `<!here>`) prepended to messages of a severity. */
    mentions: Partial<Record<Severity, string>>;
    /** Smallest gap between two messages to the same webhook. */
    minPostIntervalMs: number;
    /** Known principals and networks whose sign-ins are downgraded or not posted. */
    allowList: AllowEntry[];
    /** Per-request timeout for Slack. */
    slackTimeoutMs: number;
    /** First backoff step after a 5xx or network error; doubles per attempt up to the cap. */
    slackBackoffBaseMs: number;
    slackBackoffCapMs: number;
    /** The language of every message the function posts. */
    language: Language;
    firstSeen: FirstSeenSettings;
    summary: SummaryPeriod;
    /** The delivery heartbeat: its alarm (IncomingLogEvents of the trail's log group) and how long a silence it allows. */
    heartbeat?: { alarmName: string; quietMinutes: number };
    /** The trail whose status every sweep reads (CloudTrail's GetTrailStatus); absent when only its log group is known. */
    trailArn?: string;
    /** The organization whose member accounts' events the stack serves; absent: the stack's own account alone. */
    organizationId?: string;
    /** "Was this you?": whom to ask about which sign-ins, and the SSM parameters holding the Slack app's bot token and signing secret. */
    confirm?: ConfirmConfig & { botTokenParameterName: string; signingSecretParameterName: string };
}

/** A rule as the function is told it; its alarm's name is known only once deployed, so it comes from the environment. */
export type CapturedRule = Omit<RunTimeRule, "alarmName">;

/** The file beside the function's code that holds its `FunctionConfig` (program/functionPackage.ts writes it, handler/lambda.ts reads it). */
export const FUNCTION_CONFIG_FILE = "config.json";

/** What the configuration tells the function, in `FUNCTION_CONFIG_FILE` beside its code. Plain JSON data only. */
export interface FunctionConfig {
    rules: CapturedRule[];
    timeZone: string;
    accountLabels: Record<string, string>;
    mentions: Partial<Record<Severity, string>>;
    allowList: AllowEntry[];
    notifyOnOk: boolean;
    lagAllowanceMinutes: number;
    language: Language;
    firstSeen: FirstSeenSettings;
    summary: SummaryPeriod;
    /** Minutes without a log event before the heartbeat alarm fires; 0 when the stack has no heartbeat. */
    heartbeatQuietMinutes: number;
    /** The organization whose member accounts forward their events; absent: the stack's own account alone. */
    organizationId?: string;
    /** "Was this you?"; absent: nobody is asked. */
    confirm?: ConfirmConfig;
}

/** The names of deployed resources the function needs, each an environment variable. */
export interface DeployedNames<T> {
    webhookParameterName: T;
    trailLogGroupName: T;
    stateTableName: T;
    /** JSON: rule id → the name of its alarm. */
    alarmNames: T;
    operatorTopicArn: T;
    /** The delivery heartbeat alarm's name; "" when the stack has none. */
    heartbeatAlarmName: T;
    /** The trail whose status the function reads on every sweep; "" when only its log group is known. */
    trailArn: T;
    /** The SSM parameter holding the Slack app's bot token; "" when the stack asks nobody. */
    botTokenParameterName: T;
    /** The SSM parameter holding the Slack app's signing secret, to check each answer; "" when the stack asks nobody. */
    signingSecretParameterName: T;
}

/**
 * The environment variable that tells every function the DNS suffix of its partition's endpoints
 * (amazonaws.com; amazonaws.com.cn in China), for the requests it signs itself (handler/common/awsJson.ts).
 */
export const DNS_SUFFIX_VARIABLE = "SERVICE_DNS_SUFFIX";

// Environment variable of each deployed name, in the environment's order.
const VARIABLES: DeployedNames<string> = {
    webhookParameterName: "WEBHOOK_PARAMETER_NAME",
    trailLogGroupName: "TRAIL_LOG_GROUP_NAME",
    stateTableName: "STATE_TABLE_NAME",
    alarmNames: "ALARM_NAMES",
    operatorTopicArn: "OPERATOR_TOPIC_ARN",
    heartbeatAlarmName: "HEARTBEAT_ALARM_NAME",
    trailArn: "TRAIL_ARN",
    botTokenParameterName: "BOT_TOKEN_PARAMETER_NAME",
    signingSecretParameterName: "SIGNING_SECRET_PARAMETER_NAME",
};

/** The function's environment variables; `T` is a string at run time and an Output at deploy time. */
export function environmentOf<T>(names: DeployedNames<T>): Record<string, T> {
    const keys = Object.keys(VARIABLES) as (keyof DeployedNames<T>)[];
    return Object.fromEntries(keys.map((name) => [VARIABLES[name], names[name]]));
}

/** Encodes the rule id → alarm name table for ALARM_NAMES. */
export function encodeAlarmNames(names: Record<string, string>): string {
    return JSON.stringify(names);
}

function heartbeatOf(alarmName: string | undefined, quietMinutes: number): Pick<HandlerSettings, "heartbeat"> {
    return alarmName && quietMinutes > 0 ? { heartbeat: { alarmName, quietMinutes } } : {};
}

function confirmOf(env: Record<string, string | undefined>, confirm: ConfirmConfig | undefined): Pick<HandlerSettings, "confirm"> {
    if (!confirm) {
        return {};
    }
    const [botTokenParameterName, signingSecretParameterName] = [
        env[VARIABLES.botTokenParameterName],
        env[VARIABLES.signingSecretParameterName],
    ];
    if (!botTokenParameterName || !signingSecretParameterName) {
        const missing = botTokenParameterName ? VARIABLES.signingSecretParameterName : VARIABLES.botTokenParameterName;
        throw new Error(`Environment variable ${missing} is not set, but the stack asks people; redeploy the stack.`);
    }
    return { confirm: { ...confirm, botTokenParameterName, signingSecretParameterName } };
}

/** Reads what the function was told: its environment (deployed names) and its configuration file. */
export function readSettings(env: Record<string, string | undefined>, config: FunctionConfig): HandlerSettings {
    const required = (key: keyof DeployedNames<string>): string => {
        const value = env[VARIABLES[key]];
        if (!value) {
            throw new Error(`Environment variable ${VARIABLES[key]} is not set; redeploy the stack.`);
        }
        return value;
    };
    const alarmNames = JSON.parse(required("alarmNames")) as Record<string, string>;
    const rules = config.rules.map((rule) => {
        const alarmName = alarmNames[rule.id];
        if (!alarmName) {
            throw new Error(`Environment variable ${VARIABLES.alarmNames} names no alarm for rule ${rule.id}; redeploy the stack.`);
        }
        return { ...rule, alarmName };
    });
    return {
        webhookParameterName: required("webhookParameterName"),
        trailLogGroupName: required("trailLogGroupName"),
        stateTableName: required("stateTableName"),
        operatorTopicArn: required("operatorTopicArn"),
        timeZone: config.timeZone,
        rules,
        accountLabels: config.accountLabels,
        notifyOnOk: config.notifyOnOk,
        lagAllowanceMinutes: config.lagAllowanceMinutes,
        mentions: config.mentions,
        allowList: config.allowList,
        language: config.language,
        firstSeen: config.firstSeen,
        summary: config.summary,
        ...heartbeatOf(env[VARIABLES.heartbeatAlarmName], config.heartbeatQuietMinutes),
        ...(env[VARIABLES.trailArn] ? { trailArn: env[VARIABLES.trailArn] } : {}),
        ...(config.organizationId ? { organizationId: config.organizationId } : {}),
        ...confirmOf(env, config.confirm),
        // Tuning knobs for tests and emergencies; never set by the program.
        minPostIntervalMs: Number(env["MIN_POST_INTERVAL_MS"] || "1100"),
        slackTimeoutMs: Number(env["SLACK_TIMEOUT_MS"] || "10000"),
        slackBackoffBaseMs: Number(env["SLACK_BACKOFF_BASE_MS"] || "500"),
        slackBackoffCapMs: Number(env["SLACK_BACKOFF_CAP_MS"] || "8000"),
    };
}

/**
 * The metrics the function writes in CloudWatch embedded metric format, for the deploy side's
 * dashboards and alarms: per posted event its delay (Path "fast" or "backstop"), and a count each
 * time the backstop (alarm or sweep) is first to post an event, i.e. EventBridge did not bring it.
 */
export const DELIVERY_METRICS = {
    namespace: "ConsoleLoginAlerts",
    dimension: "Path",
    delay: "DeliveryDelay",
    backstopFirst: "BackstopFirstDeliveries",
} as const;
