import type { Context } from "aws-lambda";
import type { CallAs } from "../../shared/contract";

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
        onBehalfOf?: { userId?: string; identityStoreArn?: string };
        sessionContext?: {
            sessionIssuer?: { type?: string; userName?: string; arn?: string };
        };
    };
    responseElements?: Record<string, unknown> | null;
    additionalEventData?: Record<string, unknown> | null;
}

/**
 * Who acted, as parts the message catalog words in each language ("alice (role Admin)",
 * "alice（ロール Admin）"); names are event data, the words around them are the catalog's.
 */
export type PrincipalName =
    | { kind: "root" }
    | { kind: "name"; name: string }
    | { kind: "role-session"; session: string; role: string }
    | { kind: "federated"; name: string }
    | { kind: "hidden-user" }
    | { kind: "unknown"; identityType?: string };

/** A sign-in (or other matched event) reduced to what a person reads in Slack. Values are raw, not escaped. */
export interface SignIn {
    eventId: string;
    /** Who acted, in parts, worded by the message catalog of the stack's language. */
    principal: PrincipalName;
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
    /** Why it failed: the record's errorMessage, else its errorCode (some failures carry only the code). */
    errorMessage?: string;
    /** A sign-in event (eventSource signin.amazonaws.com) that is a step of signing in, not the sign-in itself. */
    signInStep?: true;
    /** The ids of the stack's rules whose patterns match the record (handler/decide/overlap.ts); absent where only the rule at hand was asked. */
    matchedRules?: readonly string[];
    /** The other rules that would have posted it, named on the one message that does (their titles in the stack's language). */
    alsoMatches?: ReadonlyArray<{ id: string; title: string }>;
    /** IAM Identity Center sign-ins (`AWSReservedSSO_<set>_<id>` roles): the person's user name, from the session name. */
    person?: string;
    /** IAM Identity Center sign-ins: the permission set the role was made from. */
    permissionSet?: string;
    /** IAM Identity Center sign-ins: the identity store's user, when the record names it (`userIdentity.onBehalfOf`). */
    identityStoreUser?: IdentityStoreUser;
    /**
     * IAM Identity Center sign-ins: how the person last authenticated to Identity Center before this
     * sign-in, from its UserAuthentication/CredentialChallenge events in the same trail; absent when the
     * trail holds none (then the message says the method is unknown, never "MFA: No").
     */
    identityCenterMfa?: IdentityCenterMfa;
    /** Whose first-seen history a console sign-in is judged against (failures too: they are marked, never learned). */
    principalKey?: string;
    /** What the first-seen history said of this sign-in; absent when first-seen is off or the event is not a sign-in. */
    firstSeen?: FirstSeenMark;
}

/** An IAM Identity Center user: its id is unique only within its identity store. */
export interface IdentityStoreUser {
    userId: string;
    identityStoreArn: string;
}

/** The MFA of a person's last IAM Identity Center authentication: the methods it used, or none. */
export interface IdentityCenterMfa {
    /** e.g. ["PASSWORD", "WEBAUTHN"] — Identity Center's CredentialType values, as recorded. */
    methods: string[];
    /** True when one of the methods is a second factor (anything but PASSWORD and EXTERNAL_IDP). */
    usedMfa: boolean;
    /** When that authentication happened. */
    at: Date;
}

/**
 * First-seen: what the principal's history (the last `windowDays` days, or since `historySince`
 * when it is younger) says of a sign-in. `noHistory`: no other sign-in of the principal in the
 * window before this one (its first since tracking began, or since a longer absence), so nothing
 * is called new. Otherwise each `new*` field is set when that value is new.
 */
export interface FirstSeenMark {
    noHistory: boolean;
    /** IPv4 /24 or IPv6 /48, e.g. "203.0.113.0/24". */
    newNetwork?: string;
    /** Browser (or the AWS Console Mobile App) and system family: product names, worded by the catalog. */
    newAgent?: { client: string; os?: string };
    newRegion?: string;
    windowDays: number;
    /** When the principal's history began, if that is within the window ("since …" instead of "in 90 days"). */
    historySince?: Date;
}

/** The delivery heartbeat's alarm: the trail's log group received nothing for `quietMinutes` (ALARM), or again does (OK). */
export interface HeartbeatNotice {
    alarm: AlarmNotification;
    logGroupName: string;
    quietMinutes: number;
}

/** What the periodic summary reports; counts are of sign-ins posted (or recorded as failed) in [fromMs, toMs). */
export interface SummaryReport {
    period: "daily" | "weekly";
    fromMs: number;
    toMs: number;
    /** Rule id → events posted, for every rule (zero included, so a quiet rule is visibly quiet). */
    perRule: Array<{ ruleId: string; title: string; count: number }>;
    /**
     * Principals by events posted, most first; at most SUMMARY_TOP_PRINCIPALS of them, with the rest
     * counted. A principal is a line per account, with `accountId`, where the summary names accounts
     * (handler/ingest/summary.ts summaryReport).
     */
    perPrincipal: Array<{ principal: PrincipalName; accountId?: string; count: number }>;
    otherPrincipals: number;
    /** Events of principals an hour's tally had no room to name (handler/state/tally.ts): counted, not listed. */
    unnamedPrincipalEvents: number;
    /** Sign-ins from networks new for their principal. */
    newNetworks: Array<{ principal: PrincipalName; accountId?: string; network: string }>;
    /** Events the backstop posted first (EventBridge did not bring them). */
    backstopOnly: number;
    /** Events Slack refused even as text, reported to the operators instead. */
    failures: number;
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

/** What one invocation did; returned to Lambda and asserted by tests. */
export interface InvocationReport {
    trigger: "sweep" | "summary" | "drift" | "sns" | "eventbridge" | "answer" | "unknown";
    rulesScanned: string[];
    posted: number;
    messages: number;
    skipped: string[];
}

/** The part of the Lambda context the handler uses, so tests and the simulator need not fake the rest. */
// Lambda always gives the function's ARN; tests that do not care about the account may leave it out.
export type InvocationContext = Pick<Context, "awsRequestId" | "getRemainingTimeInMillis"> & Partial<Pick<Context, "invokedFunctionArn">>;

/** Time, behind an interface so tests can drive it. */
export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
    random(): number;
}

/** A log event as FilterLogEvents returns it. */
export interface LogEvent {
    message: string;
    timestamp: number;
}

/** One page of FilterLogEvents, and the token of the next one if the window has more. */
export interface LogEventPage {
    events: LogEvent[];
    nextToken?: string;
}

/** A lookup that stopped before the end of its window; FilterLogEvents keeps a nextToken valid for 24 hours. */
export interface PendingLookup {
    window: TimeWindow;
    nextToken: string;
    savedAtMs: number;
}

/** Where a rule's lookups stand: its cursor, and the lookup to resume if the last one was left unfinished. */
export interface RuleProgress {
    cursorMs?: number;
    pending?: PendingLookup;
}

/** What GetTrailStatus says of a trail, reduced to what the function judges. */
export interface TrailStatus {
    isLogging: boolean;
    cloudWatchLogsDeliveredAtMs?: number;
    cloudWatchLogsError?: string;
    s3Error?: string;
}

/** A trail's state as the channel is told it. */
export type TrailHealth =
    | { kind: "healthy" }
    | { kind: "stopped" }
    | { kind: "logs-error"; error: string }
    | { kind: "s3-error"; error: string }
    | { kind: "stale"; sinceMs: number }
    | { kind: "unreadable"; error: string };

/** The organization's StackSet, as the function names it to CloudFormation. */
export interface StackSetRef {
    name: string;
    callAs: CallAs;
}

/** A StackSet operation as DescribeStackSetOperation tells it, reduced to what the drift check judges. */
export interface StackSetOperationState {
    /** RUNNING, QUEUED, STOPPING, SUCCEEDED, FAILED or STOPPED (CloudFormation API Reference, "StackSetOperation"). */
    status: string;
    statusReason?: string;
    /** A drift detection's counts of stack instances (CloudFormation API Reference, "StackSetDriftDetectionDetails"). */
    drift?: { detectionStatus: string; total: number; drifted: number; failed: number };
}

/** A stack instance whose last drift detection found it DRIFTED (CloudFormation API Reference, "StackInstanceSummary"). */
export interface DriftedInstance {
    account: string;
    region: string;
    /** The organizational unit (or root) the instance was deployed to. */
    unit?: string;
    checkedAtMs?: number;
}

/** Why the StackSet's drift detections do not complete, as the drift check last saw it. */
export type DriftProblem =
    | { kind: "running"; operationId: string; sinceMs: number }
    | { kind: "ended"; operationId: string; status: string; reason?: string }
    | { kind: "partial"; operationId: string; failed: number; total: number }
    | { kind: "busy" }
    | { kind: "error"; error: string };

/** One page of ListStackInstances, filtered to the drifted instances, and the token of the next. */
export interface DriftedInstancePage {
    instances: DriftedInstance[];
    nextToken?: string;
}

/** The operators' topic: what must reach a person even when Slack refuses it or is the broken part. */
export interface OperatorsChannel {
    publish(subject: string, message: string): Promise<void>;
}

/** The AWS calls the function makes, behind an interface so the logic can run against fakes. */
export interface AwsPorts {
    getSecureParameter(name: string): Promise<string>;
    /** One page of FilterLogEvents, abandoned with an AbortError if it has not come back by `deadlineMs`. */
    filterLogEventsPage(
        logGroupName: string,
        pattern: string,
        window: TimeWindow,
        nextToken: string | undefined,
        deadlineMs: number,
    ): Promise<LogEventPage>;
    /** CloudTrail's GetTrailStatus for a trail, by ARN. */
    trailStatus(trailArn: string): Promise<TrailStatus>;
    /** AWS Organizations' DescribeAccount: a member account's name; undefined for an account outside the organization. */
    describeAccount(accountId: string): Promise<{ name: string } | undefined>;
    /** An IAM user's `email` tag (IAM's ListUserTags, in the function's own account); undefined when it has none. */
    iamUserEmail(userName: string): Promise<string | undefined>;
    /** CloudFormation's DetectStackSetDrift, with the StackSet's operation preferences: the operation's id. */
    detectStackSetDrift(stackSet: StackSetRef): Promise<string>;
    /** CloudFormation's DescribeStackSetOperation. */
    describeStackSetOperation(stackSet: StackSetRef, operationId: string): Promise<StackSetOperationState>;
    /** One page of CloudFormation's ListStackInstances, filtered to the instances whose drift status is DRIFTED. */
    listDriftedStackInstances(stackSet: StackSetRef, nextToken: string | undefined): Promise<DriftedInstancePage>;
    store: StateStore;
    /** The operators' topic; where a stack has none (handler/index.ts), a channel that logs what it would have said. */
    operators: OperatorsChannel;
}

/** A document to write if it is still at `expectedVersion` (undefined: if it does not exist yet). */
export interface DocumentWrite {
    key: string;
    body: string;
    expectedVersion: number | undefined;
    expiresAtSeconds: number;
}

/**
 * Counters to add to one item. `maxBytes` bounds the item: its counters may take at most that many
 * bytes (state/documents.ts counterBytes), so a counter it does not hold yet is created only if it fits.
 */
export interface CounterAddition {
    key: string;
    counters: Readonly<Record<string, number>>;
    maxBytes?: number;
}

/**
 * Durable state: each rule's lease with its cursor, which events are already in Slack, documents
 * and counters.
 */
export interface StateStore {
    /** The ids among `keys` that have not been recorded as posted. */
    unposted(keys: readonly string[]): Promise<Set<string>>;
    /** `unposted` and `readDocuments` in one read. */
    unpostedAndDocuments(
        postedKeys: readonly string[],
        documentKeys: readonly string[],
    ): Promise<{ unposted: Set<string>; documents: Map<string, StoredDocument> }>;
    markPosted(keys: readonly string[], expiresAtSeconds: number): Promise<void>;
    /**
     * Takes a rule's lease unless another invocation holds an unexpired one, and returns where the
     * rule's lookups stand, kept with the lease; undefined when another holds it.
     */
    acquireLease(ruleId: string, owner: string, untilMs: number, nowMs: number): Promise<RuleProgress | undefined>;
    /**
     * Gives the lease up and, given a cursor, moves the cursor there and clears any unfinished
     * lookup, in one write; only while the lease is `owner`'s. False when it is not: nothing written.
     */
    releaseLease(ruleId: string, owner: string, cursorMs: number | undefined): Promise<boolean>;
    /**
     * Keeps where the rule's lookups stand: the cursor at `progress.cursorMs` (none: none kept) and
     * the unfinished lookup, if any; only while the lease is `owner`'s. False when it is not.
     */
    saveProgress(ruleId: string, owner: string, progress: RuleProgress): Promise<boolean>;
    /**
     * Where the rule's lookups stood in the item earlier versions kept apart from the lease; read
     * where the lease's item holds neither a cursor nor a lookup, so an upgrade loses neither.
     */
    formerProgress(ruleId: string): Promise<RuleProgress>;
    /** JSON documents by key (first-seen histories, the trail's state); absent keys are left out. */
    readDocuments(keys: readonly string[]): Promise<Map<string, StoredDocument>>;
    /** Writes a document if it is still at `expectedVersion`; false when another invocation wrote it first. */
    writeDocument(key: string, body: string, expectedVersion: number | undefined, expiresAtSeconds: number): Promise<boolean>;
    /**
     * Writes documents, each if it is still at its expected version, up to 100 all or none (more in
     * several such groups). Returns the keys not written: every key of a group in which one had
     * changed, so the caller reads those again and retries.
     */
    writeDocuments(writes: readonly DocumentWrite[]): Promise<string[]>;
    /**
     * Adds to the counters of several items, all or none, creating what is missing (a bounded item's
     * new counters only while they fit). Returns, by key, the counters of bounded items that did not fit.
     */
    addCounters(additions: readonly CounterAddition[], expiresAtSeconds: number): Promise<Map<string, Record<string, number>>>;
    /** The counters of each item that exists. */
    readCounters(keys: readonly string[]): Promise<Map<string, Record<string, number>>>;
}

/** A stored JSON document and the version a conditional write must name. */
export interface StoredDocument {
    body: string;
    version: number;
}
