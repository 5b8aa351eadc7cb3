/** Severity of an alert rule, from least to most urgent. */
export type Severity = "info" | "high" | "critical";

/** One alert rule as the function sees it: the metric filter's pattern and the alarm that watches it. */
export interface RuleSpec {
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

/** Everything the function needs to know, taken from its environment at cold start. */
export interface HandlerSettings {
    webhookParameterName: string;
    trailLogGroupName: string;
    stateTableName: string;
    /** IANA time zone used for event times, e.g. `Asia/Tokyo`. */
    timeZone: string;
    rules: RuleSpec[];
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
    allowList: import("./allow").AllowEntry[];
    /** Per-request timeout for Slack. */
    slackTimeoutMs: number;
    /** First backoff step after a 5xx or network error; doubles per attempt up to the cap. */
    slackBackoffBaseMs: number;
    slackBackoffCapMs: number;
}

/** The part of a CloudTrail record this project reads; everything is optional because records vary. */
export interface CloudTrailRecord {
    eventVersion?: string;
    eventID?: string;
    eventTime?: string;
    eventName?: string;
    eventSource?: string;
    eventType?: string;
    awsRegion?: string;
    sourceIPAddress?: string;
    userAgent?: string;
    errorCode?: string;
    errorMessage?: string;
    recipientAccountId?: string;
    userIdentity?: {
        type?: string;
        principalId?: string;
        arn?: string;
        accountId?: string;
        userName?: string;
        invokedBy?: string;
        sessionContext?: {
            sessionIssuer?: { type?: string; userName?: string; arn?: string };
        };
    };
    responseElements?: Record<string, unknown> | null;
    additionalEventData?: Record<string, unknown> | null;
}

/** A sign-in (or other matched event) reduced to what a person reads in Slack. Values are raw, not escaped. */
export interface SignIn {
    eventId: string;
    who: string;
    /** The IAM user's name, for allow-lists; absent for root, roles and hidden user names. */
    userName?: string;
    /** The assumed role's name, for allow-lists. */
    roleName?: string;
    identityType: string;
    eventName: string;
    result: "Success" | "Failure" | "Unknown";
    mfa: "Yes" | "No" | "n/a";
    sourceIp: string;
    region: string;
    eventTime: Date;
    userAgent: string;
    accountId: string;
    errorMessage?: string;
}

/** The fields of a CloudWatch alarm notification this project reads. */
export interface AlarmNotification {
    alarmName: string;
    newState: "ALARM" | "OK" | "INSUFFICIENT_DATA";
    oldState: string;
    reason: string;
    stateChangeTime: Date;
    region: string;
    accountId: string;
    periodSeconds: number;
    evaluationPeriods: number;
}

/** A half-open time range in epoch milliseconds. */
export interface TimeWindow {
    startMs: number;
    endMs: number;
}
