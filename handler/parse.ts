import { identityCenterMfaOf } from "./credentials";
import type { ScheduledEvent, SNSEvent, SNSEventRecord, SNSMessage } from "aws-lambda";
import type { AlarmNotification, CloudTrailRecord, PrincipalName, SignIn, TimeWindow } from "./types";
import type { RunTimeRule, SummaryRequest } from "../shared/contract";

/** Either a value or the reason it could not be had; bad input is reported, never thrown. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asString(value: unknown): string | undefined {
    return typeof value === "string" && value.length > 0 ? value : undefined;
}

/**
 * An object from outside, read field by field: the field names are checked against the AWS type
 * it claims to be, the values stay unknown until tested.
 */
type Unchecked<T> = { [K in keyof T]?: unknown };

/**
 * What invoked the function: SNS alarm notifications, the scheduled sweep, or one CloudTrail event
 * EventBridge delivered (the fast path). `detail` stays unknown until read: a forwarded event's
 * envelope is EventBridge's, its detail is whatever CloudTrail recorded.
 */
export type Trigger =
    | { kind: "sweep" }
    | { kind: "summary"; period: SummaryRequest["loginAlertsSummary"] }
    | { kind: "sns"; messages: Array<Parsed<{ messageId: string; body: string }>> }
    | { kind: "eventbridge"; envelopeId: string; detailType: string; detail: unknown }
    | { kind: "unknown"; reason: string };

// CloudTrail's events on EventBridge all have a detail-type ending so ("AWS Console Sign In via
// CloudTrail", "AWS API Call via CloudTrail"; EventBridge User Guide, "AWS service events delivered
// via AWS CloudTrail"). Forwarding from bus to bus keeps source, detail-type and detail.
const CLOUDTRAIL_DETAIL_TYPE = / via CloudTrail$/;

function snsMessageOf(record: unknown, index: number): Parsed<{ messageId: string; body: string }> {
    const sns = isObject(record) ? (record as Unchecked<SNSEventRecord>).Sns : undefined;
    if (!isObject(sns)) {
        return fail(`record ${index} has no Sns object`);
    }
    const { Message: body, MessageId: messageId } = sns as Unchecked<SNSMessage>;
    if (typeof body !== "string") {
        return fail(`record ${index} has no Sns.Message string`);
    }
    return ok({ messageId: asString(messageId) ?? `record-${index}`, body });
}

export function classifyTrigger(event: unknown): Trigger {
    if (!isObject(event)) {
        return { kind: "unknown", reason: "the event is not a JSON object" };
    }
    const period = event["loginAlertsSummary"];
    if (period === "daily" || period === "weekly") {
        return { kind: "summary", period };
    }
    const scheduled: Unchecked<ScheduledEvent> = event;
    if (scheduled.source === "aws.events" && scheduled["detail-type"] === "Scheduled Event") {
        return { kind: "sweep" };
    }
    const detailType = scheduled["detail-type"];
    if (typeof detailType === "string" && CLOUDTRAIL_DETAIL_TYPE.test(detailType)) {
        const envelopeId = asString(scheduled.id) ?? "unknown";
        return { kind: "eventbridge", envelopeId, detailType, detail: scheduled.detail };
    }
    const records = (event as Unchecked<SNSEvent>).Records;
    if (!Array.isArray(records)) {
        return { kind: "unknown", reason: "the event has neither Records nor a scheduled-event source" };
    }
    return { kind: "sns", messages: records.map((record: unknown, index) => snsMessageOf(record, index)) };
}

// An array, not a Set: closure serialization cannot carry a Set captured at module scope.
const ALARM_STATES: readonly string[] = ["ALARM", "OK", "INSUFFICIENT_DATA"];

/** Parses the JSON body CloudWatch publishes to SNS when an alarm changes state. */
export function parseAlarmNotification(body: string): Parsed<AlarmNotification> {
    let json: unknown;
    try {
        json = JSON.parse(body);
    } catch {
        return fail("the SNS message is not JSON");
    }
    if (!isObject(json)) {
        return fail("the SNS message is not a JSON object");
    }
    const alarmName = asString(json["AlarmName"]);
    const newState = asString(json["NewStateValue"]);
    const changed = Date.parse(String(json["StateChangeTime"] ?? ""));
    if (!alarmName) {
        return fail("the SNS message has no AlarmName, so it is not a CloudWatch alarm notification");
    }
    if (!newState || !ALARM_STATES.includes(newState)) {
        return fail(`alarm ${alarmName} has an unknown NewStateValue ${JSON.stringify(json["NewStateValue"])}`);
    }
    if (Number.isNaN(changed)) {
        return fail(`alarm ${alarmName} has no valid StateChangeTime`);
    }
    const trigger = isObject(json["Trigger"]) ? json["Trigger"] : {};
    const period = Number(trigger["Period"]);
    const evaluations = Number(trigger["EvaluationPeriods"]);
    const arn = asString(json["AlarmArn"]) ?? "";
    return ok({
        alarmName,
        newState: newState as AlarmNotification["newState"],
        oldState: asString(json["OldStateValue"]) ?? "",
        reason: asString(json["NewStateReason"]) ?? "",
        stateChangeTime: new Date(changed),
        region: arn.split(":")[3] ?? "",
        accountId: asString(json["AWSAccountId"]) ?? arn.split(":")[4] ?? "",
        periodSeconds: Number.isFinite(period) && period > 0 ? period : 60,
        evaluationPeriods: Number.isInteger(evaluations) && evaluations > 0 ? evaluations : 1,
    });
}

// CloudWatch writes datapoint times in the state reason as "(08/06/21 07:53:00)": day/month/year, UTC.
const DATAPOINT_TIME = /\((\d{2})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})\)/g;

/**
 * The span of log-event time the alarm looked at: its datapoints when the reason names them,
 * otherwise the evaluation periods that end at the state change.
 */
export function alarmWindow(alarm: AlarmNotification): TimeWindow {
    const stamps = [...alarm.reason.matchAll(DATAPOINT_TIME)].map((m) =>
        Date.UTC(2000 + Number(m[3]), Number(m[2]) - 1, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])),
    );
    const periodMs = alarm.periodSeconds * 1000;
    if (stamps.length > 0) {
        return { startMs: Math.min(...stamps), endMs: Math.max(...stamps) + periodMs };
    }
    const endMs = alarm.stateChangeTime.getTime();
    return { startMs: endMs - periodMs * alarm.evaluationPeriods, endMs };
}

/**
 * The log-event time range to search: from the stored cursor (or the alarm's window, whichever is
 * earlier) minus the lag allowance, to now. Re-reading the allowance every time is what catches
 * events CloudTrail delivers late; de-duplication by eventID keeps them from being posted twice.
 */
export function lookupWindow(args: {
    nowMs: number;
    cursorMs?: number;
    alarm?: TimeWindow;
    lagAllowanceMs: number;
    maxLookbackMs: number;
}): TimeWindow {
    const from = Math.min(args.cursorMs ?? args.nowMs, args.alarm?.startMs ?? args.nowMs);
    const startMs = Math.max(from - args.lagAllowanceMs, args.nowMs - args.maxLookbackMs);
    return { startMs, endMs: args.nowMs };
}

/** Finds the rule an alarm notification belongs to. */
export function ruleForAlarm(rules: readonly RunTimeRule[], alarmName: string): RunTimeRule | undefined {
    return rules.find((rule) => rule.alarmName === alarmName);
}

/** Parses one log event's message as a CloudTrail record. */
/**
 * Keeps only the fields this project reads, each with the JSON type CloudTrail documents; anything
 * else is dropped, so one oddly typed record can never throw later and block its whole batch.
 */
function sanitizeRecord(json: Record<string, unknown>, eventID: string, eventTime: string): ValidRecord {
    const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
    const obj = (v: unknown): Record<string, unknown> | undefined => (isObject(v) ? v : undefined);
    const identity = obj(json["userIdentity"]);
    const issuer = obj(obj(identity?.["sessionContext"])?.["sessionIssuer"]);
    return {
        eventID,
        eventTime,
        eventVersion: str(json["eventVersion"]),
        eventName: str(json["eventName"]),
        eventSource: str(json["eventSource"]),
        eventType: str(json["eventType"]),
        awsRegion: str(json["awsRegion"]),
        sourceIPAddress: str(json["sourceIPAddress"]),
        userAgent: str(json["userAgent"]),
        errorCode: str(json["errorCode"]),
        errorMessage: str(json["errorMessage"]),
        recipientAccountId: str(json["recipientAccountId"]),
        userIdentity: identity && {
            type: str(identity["type"]),
            principalId: str(identity["principalId"]),
            arn: str(identity["arn"]),
            accountId: str(identity["accountId"]),
            userName: str(identity["userName"]),
            invokedBy: str(identity["invokedBy"]),
            sessionContext: issuer && {
                sessionIssuer: { type: str(issuer["type"]), userName: str(issuer["userName"]), arn: str(issuer["arn"]) },
            },
        },
        responseElements: obj(json["responseElements"]) ?? null,
        additionalEventData: obj(json["additionalEventData"]) ?? null,
    };
}

/** A CloudTrail record known to carry the two fields de-duplication and ordering depend on. */
export type ValidRecord = CloudTrailRecord & { eventID: string; eventTime: string };

export function parseCloudTrailRecord(message: string): Parsed<ValidRecord> {
    let json: unknown;
    try {
        json = JSON.parse(message);
    } catch {
        return fail("the log event is not JSON");
    }
    if (!isObject(json)) {
        return fail("the log event is not a JSON object");
    }
    if (!asString(json["eventID"])) {
        return fail("the CloudTrail record has no eventID");
    }
    if (Number.isNaN(Date.parse(String(json["eventTime"] ?? "")))) {
        return fail(`CloudTrail record ${String(json["eventID"])} has no valid eventTime`);
    }
    return ok(sanitizeRecord(json, json["eventID"] as string, json["eventTime"] as string));
}

/**
 * Reads the CloudTrail record an EventBridge event carries as its `detail`: the same checks as a
 * log event's record, on the JSON text of `detail` (what a rule's filter pattern is evaluated on).
 */
export function parseEventDetail(detail: unknown): Parsed<{ record: ValidRecord; text: string }> {
    if (!isObject(detail)) {
        return fail("the EventBridge event's detail is not a JSON object");
    }
    const text = JSON.stringify(detail);
    const parsed = parseCloudTrailRecord(text);
    return parsed.ok ? ok({ record: parsed.value, text }) : parsed;
}

const HIDDEN_USER = "HIDDEN_DUE_TO_SECURITY_REASONS";

// IAM Identity Center makes one role per permission set and account, named
// AWSReservedSSO_<permission set>_<16 hex digits> (IAM Identity Center User Guide, "Service-linked
// roles" / "Permission sets"); its session name is the person's Identity Center user name.
const IDENTITY_CENTER_ROLE = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/;

/** The person and permission set of an IAM Identity Center role session; undefined for any other principal. */
export function identityCenterSession(record: CloudTrailRecord): { person: string; permissionSet: string } | undefined {
    const identity = record.userIdentity;
    if (identity?.type !== "AssumedRole") {
        return undefined;
    }
    const parts = (identity.arn ?? "").split(":assumed-role/")[1]?.split("/");
    const role = identity.sessionContext?.sessionIssuer?.userName ?? parts?.[0] ?? "";
    const permissionSet = IDENTITY_CENTER_ROLE.exec(role)?.[1];
    const person = parts && parts.length > 1 ? parts.slice(1).join("/") : undefined;
    return permissionSet && person ? { person, permissionSet } : undefined;
}

/** Who acted, in parts: user name, root, the person of an Identity Center session, or role and session. */
export function principalNameOf(record: CloudTrailRecord): PrincipalName {
    const identity = record.userIdentity ?? {};
    const named = (name: string | undefined): PrincipalName =>
        name ? { kind: "name", name } : { kind: "unknown", ...(identity.type ? { identityType: identity.type } : {}) };
    switch (identity.type) {
        case "Root":
            return { kind: "root" };
        case "IAMUser":
            return identity.userName === HIDDEN_USER
                ? { kind: "hidden-user" }
                : named(identity.userName ?? identity.arn ?? identity.principalId);
        case "AssumedRole": {
            const sso = identityCenterSession(record);
            // arn:aws:sts::111122223333:assumed-role/ROLE/SESSION: for SSO and SAML the session is the person.
            const parts = (identity.arn ?? "").split(":assumed-role/")[1]?.split("/");
            const role = identity.sessionContext?.sessionIssuer?.userName ?? parts?.[0];
            const session = parts && parts.length > 1 ? parts.slice(1).join("/") : undefined;
            if (sso) {
                return { kind: "name", name: sso.person };
            }
            return session && role ? { kind: "role-session", session, role } : named(identity.arn ?? role ?? identity.principalId);
        }
        case "FederatedUser": {
            // arn:aws:sts::111122223333:federated-user/carol
            const user = (identity.arn ?? "").split(":federated-user/")[1];
            return user ? { kind: "federated", name: user } : named(identity.arn ?? identity.principalId);
        }
        default:
            return named(identity.userName ?? identity.arn ?? identity.principalId ?? identity.invokedBy);
    }
}

/** The principal in English words, for logs, tallies and allow-lists: "alice", "root", "alice (role Admin)". */
export function describePrincipal(record: CloudTrailRecord): string {
    const p = principalNameOf(record);
    switch (p.kind) {
        case "root":
            return "root";
        case "name":
            return p.name;
        case "role-session":
            return `${p.session} (role ${p.role})`;
        case "federated":
            return `${p.name} (federated user)`;
        case "hidden-user":
            return "unknown user name";
        case "unknown":
            return p.identityType === "IAMUser" ? "unknown IAM user" : "unknown principal";
    }
}

function roleNameOf(record: CloudTrailRecord): string | undefined {
    const identity = record.userIdentity;
    if (identity?.type !== "AssumedRole") {
        return undefined;
    }
    return identity.sessionContext?.sessionIssuer?.userName ?? (identity.arn ?? "").split(":assumed-role/")[1]?.split("/")[0];
}

function resultOf(record: CloudTrailRecord): SignIn["result"] {
    const value = record.responseElements?.[record.eventName ?? ""];
    if (value === "Success" || value === "Failure") {
        return value;
    }
    if (record.errorMessage || record.errorCode) {
        return "Failure";
    }
    return record.eventType === "AwsConsoleSignIn" ? "Unknown" : "Success";
}

function mfaOf(record: CloudTrailRecord): SignIn["mfa"] {
    const value = record.additionalEventData?.["MFAUsed"];
    return value === "Yes" || value === "No" ? value : "n/a";
}

/**
 * Whose first-seen history a sign-in belongs to: the account, the principal's type, and for role
 * sessions the issuer and the session name (the person), since one role serves many people.
 * Console sign-ins only; failures have one too (they are marked, never learned from).
 */
export function principalKeyOf(record: CloudTrailRecord): string | undefined {
    const identity = record.userIdentity;
    if (record.eventName !== "ConsoleLogin" || !identity?.type) {
        return undefined;
    }
    const account = record.recipientAccountId ?? identity.accountId ?? "";
    const who = identity.type === "Root" ? "root" : identity.type === "IAMUser" ? identity.userName : identity.arn;
    if (!account || !who || who === HIDDEN_USER) {
        return undefined;
    }
    const issuer = identity.sessionContext?.sessionIssuer?.arn;
    return [account, identity.type, issuer, who].filter((part) => part).join("|");
}

/** The sign-in's Identity Center facts and history key, only where they apply. */
function personOf(record: ValidRecord): Partial<SignIn> {
    const sso = identityCenterSession(record);
    const principalKey = principalKeyOf(record);
    // Identity Center's own sign-in event names the person and says which credentials they used.
    const mfa = identityCenterMfaOf(record);
    const person = sso?.person ?? (record.eventName === "UserAuthentication" ? record.userIdentity?.userName : undefined);
    return {
        ...(person ? { person } : {}),
        ...(sso ? { permissionSet: sso.permissionSet } : {}),
        ...(mfa ? { identityCenterMfa: mfa } : {}),
        ...(principalKey ? { principalKey } : {}),
    };
}

/** Reduces a CloudTrail record to the facts a Slack reader needs. */
export function toSignIn(record: ValidRecord): SignIn {
    return {
        ...personOf(record),
        eventId: record.eventID,
        who: describePrincipal(record),
        principal: principalNameOf(record),
        ...(record.userIdentity?.type === "IAMUser" && record.userIdentity.userName && record.userIdentity.userName !== HIDDEN_USER
            ? { userName: record.userIdentity.userName }
            : {}),
        ...(roleNameOf(record) ? { roleName: roleNameOf(record) } : {}),
        identityType: record.userIdentity?.type ?? "unknown",
        eventName: record.eventName ?? "unknown",
        result: resultOf(record),
        mfa: mfaOf(record),
        sourceIp: record.sourceIPAddress ?? "unknown",
        region: record.awsRegion ?? "unknown",
        eventTime: new Date(record.eventTime),
        userAgent: record.userAgent ?? "",
        accountId: record.recipientAccountId ?? record.userIdentity?.accountId ?? "unknown",
        ...(record.errorMessage ? { errorMessage: record.errorMessage } : {}),
    };
}
