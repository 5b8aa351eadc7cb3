import { HIDDEN_USER, personOf, principalNameOf, roleNameOf } from "./principal";
import type { ScheduledEvent, SNSEvent, SNSEventRecord, SNSMessage } from "aws-lambda";
import type { AlarmNotification, CloudTrailRecord, SignIn, StackSetRef, TimeWindow } from "../common/types";
import { CALL_AS, type RunTimeRule, type SummaryRequest } from "../../shared/contract";
import type { AnswerRequest } from "../../shared/confirm";

/** Either a value or the reason it could not be had; bad input is reported, never thrown. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The JSON object `text` holds; `what` names the text in the reason when it holds none. */
function jsonObjectOf(text: string, what: string): Parsed<Record<string, unknown>> {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        return fail(`${what} is not JSON`);
    }
    return isObject(json) ? ok(json) : fail(`${what} is not a JSON object`);
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
    | { kind: "summary"; period: SummaryRequest["loginAlertsSummary"]; scheduledMs?: number }
    | { kind: "answer"; handed: AnswerRequest["loginAlertsAnswer"] }
    | { kind: "drift"; stackSet: StackSetRef }
    | { kind: "sns"; messages: Array<Parsed<{ messageId: string; body: string }>> }
    | { kind: "eventbridge"; envelopeId: string; detailType: string; source?: string; account?: string; detail: unknown }
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

// EventBridge Scheduler's scheduled time, as it writes it: UTC to the second.
const SCHEDULED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A summary request; one with a time that cannot be read is skipped, since its period cannot be known. */
function summaryTrigger(period: SummaryRequest["loginAlertsSummary"], scheduledTime: unknown): Trigger {
    if (scheduledTime === undefined) {
        return { kind: "summary", period };
    }
    const scheduledMs = typeof scheduledTime === "string" && SCHEDULED_TIME.test(scheduledTime) ? Date.parse(scheduledTime) : NaN;
    if (Number.isNaN(scheduledMs)) {
        const shown = JSON.stringify(scheduledTime)?.slice(0, 100);
        return { kind: "unknown", reason: `the summary request's scheduledTime ${shown} is not a UTC time such as 2022-03-22T18:59:43Z` };
    }
    return { kind: "summary", period, scheduledMs };
}

/** An answer the interaction endpoint handed over: Slack's request, whose signature the answer's job checks. */
function answerTrigger(answer: unknown): Trigger {
    const [body, timestamp, signature] = isObject(answer) ? [answer["body"], answer["timestamp"], answer["signature"]] : [];
    if (typeof body !== "string" || typeof timestamp !== "string" || typeof signature !== "string") {
        return { kind: "unknown", reason: "the answer has no body, timestamp and signature strings" };
    }
    return { kind: "answer", handed: { body, timestamp, signature } };
}

// CloudFormation API Reference, "CreateStackSet": StackSetName is a letter, then letters, digits and hyphens, 128 in all.
const STACK_SET_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** A drift check request (shared/contract.ts DriftCheckRequest); one naming no StackSet CloudFormation could have is skipped. */
function driftTrigger(name: unknown, callAs: unknown): Trigger {
    const asCalled = CALL_AS.find((c) => c === callAs);
    if (typeof name !== "string" || !STACK_SET_NAME.test(name) || asCalled === undefined) {
        const shown = JSON.stringify({ loginAlertsDriftCheck: name, callAs })?.slice(0, 200);
        return { kind: "unknown", reason: `the drift check request ${shown} names no StackSet and CallAs (SELF or DELEGATED_ADMIN)` };
    }
    return { kind: "drift", stackSet: { name, callAs: asCalled } };
}

export function classifyTrigger(event: unknown): Trigger {
    if (!isObject(event)) {
        return { kind: "unknown", reason: "the event is not a JSON object" };
    }
    const answer = event["loginAlertsAnswer"];
    if (answer !== undefined) {
        return answerTrigger(answer);
    }
    const period = event["loginAlertsSummary"];
    if (period === "daily" || period === "weekly") {
        return summaryTrigger(period, event["scheduledTime"]);
    }
    if (event["loginAlertsDriftCheck"] !== undefined) {
        return driftTrigger(event["loginAlertsDriftCheck"], event["callAs"]);
    }
    const scheduled: Unchecked<ScheduledEvent> = event;
    if (scheduled.source === "aws.events" && scheduled["detail-type"] === "Scheduled Event") {
        return { kind: "sweep" };
    }
    const detailType = scheduled["detail-type"];
    if (typeof detailType === "string" && CLOUDTRAIL_DETAIL_TYPE.test(detailType)) {
        const envelopeId = asString(scheduled.id) ?? "unknown";
        const [source, account] = [asString(scheduled.source), asString(scheduled.account)];
        return {
            kind: "eventbridge",
            envelopeId,
            detailType,
            ...(source ? { source } : {}),
            ...(account ? { account } : {}),
            detail: scheduled.detail,
        };
    }
    const records = (event as Unchecked<SNSEvent>).Records;
    if (!Array.isArray(records)) {
        return { kind: "unknown", reason: "the event has neither Records nor a scheduled-event source" };
    }
    return { kind: "sns", messages: records.map((record: unknown, index) => snsMessageOf(record, index)) };
}

const ALARM_STATES: readonly string[] = ["ALARM", "OK", "INSUFFICIENT_DATA"];

/** Parses the JSON body CloudWatch publishes to SNS when an alarm changes state. */
export function parseAlarmNotification(body: string): Parsed<AlarmNotification> {
    const parsed = jsonObjectOf(body, "the SNS message");
    if (!parsed.ok) {
        return parsed;
    }
    const json = parsed.value;
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
    const onBehalfOf = obj(identity?.["onBehalfOf"]);
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
            onBehalfOf: onBehalfOf && { userId: str(onBehalfOf["userId"]), identityStoreArn: str(onBehalfOf["identityStoreArn"]) },
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
    const parsed = jsonObjectOf(message, "the log event");
    return parsed.ok ? validRecordOf(parsed.value) : parsed;
}

/** A CloudTrail record's object, checked for the eventID and eventTime de-duplication and ordering need. */
function validRecordOf(json: Record<string, unknown>): Parsed<ValidRecord> {
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
    // The detail is already an object: checked as it is, not written out and parsed again.
    const parsed = validRecordOf(detail);
    return parsed.ok ? ok({ record: parsed.value, text: JSON.stringify(detail) }) : parsed;
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
 * AWS Sign-In's own events other than the sign-in itself — PasswordUpdated, ExternalIdPDirectoryLogin,
 * SwitchRole, ExitRole and the like (CloudTrail User Guide, "AWS Management Console sign-in events")
 * — are steps of signing in, not API calls a person made. IAM Identity Center's UserAuthentication
 * is a sign-in of its own.
 */
function isSignInStep(record: CloudTrailRecord): boolean {
    return (
        record.eventSource === "signin.amazonaws.com" && record.eventName !== "ConsoleLogin" && record.eventName !== "UserAuthentication"
    );
}

/** Reduces a CloudTrail record to the facts a Slack reader needs. */
export function toSignIn(record: ValidRecord): SignIn {
    const roleName = roleNameOf(record);
    return {
        ...personOf(record),
        eventId: record.eventID,
        principal: principalNameOf(record),
        ...(record.userIdentity?.type === "IAMUser" && record.userIdentity.userName && record.userIdentity.userName !== HIDDEN_USER
            ? { userName: record.userIdentity.userName }
            : {}),
        ...(roleName ? { roleName } : {}),
        identityType: record.userIdentity?.type ?? "unknown",
        eventName: record.eventName ?? "unknown",
        result: resultOf(record),
        mfa: mfaOf(record),
        sourceIp: record.sourceIPAddress ?? "unknown",
        region: record.awsRegion ?? "unknown",
        eventTime: new Date(record.eventTime),
        userAgent: record.userAgent ?? "",
        accountId: record.recipientAccountId ?? record.userIdentity?.accountId ?? "unknown",
        ...(record.errorMessage || record.errorCode ? { errorMessage: record.errorMessage || record.errorCode } : {}),
        ...(isSignInStep(record) ? { signInStep: true as const } : {}),
    };
}
