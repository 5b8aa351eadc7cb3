/**
 * The CloudWatch Logs part of the local AWS stand-in (localAws.ts): the log events it holds and
 * FilterLogEvents over them, which evaluates the real filter pattern and pages like the service.
 */
import { matchesFilterPattern } from "../../shared/filterPattern";

/**
 * A log event as CloudWatch Logs holds it. The local stand-in keeps every group's events in one
 * list; the in-process fakes of the tests (test/support/fakePorts.ts) keep one list per group and
 * also model ingestion delay.
 */
export interface StoredLogEvent {
    logGroupName: string;
    /** The log event's timestamp, which FilterLogEvents' startTime and endTime select on. */
    timestamp: number;
    /**
     * When CloudWatch Logs ingested it; before this FilterLogEvents and metric filters do not see it.
     * Absent: ingested a second after its timestamp, and visible at once.
     */
    ingestedAt?: number;
    message: string;
}

/** FilterLogEvents' answer for one request over `events`, `pageSize` events to a page. */
export function filterLogEvents(events: readonly StoredLogEvent[], body: Record<string, unknown>, pageSize: number): unknown {
    const start = Number(body["startTime"] ?? 0);
    const end = Number(body["endTime"] ?? Number.MAX_SAFE_INTEGER);
    const pattern = String(body["filterPattern"] ?? "");
    const now = Date.now();
    const matching = events
        .filter((e) => e.logGroupName === body["logGroupName"] && e.timestamp >= start && e.timestamp <= end)
        .filter((e) => e.ingestedAt === undefined || e.ingestedAt <= now)
        .filter((e) => pattern === "" || matchesFilterPattern(pattern, e.message))
        .sort((a, b) => a.timestamp - b.timestamp);
    const offset = Number(body["nextToken"] ?? 0);
    const page = matching.slice(offset, offset + pageSize);
    const next = offset + pageSize < matching.length ? String(offset + pageSize) : undefined;
    return {
        events: page.map((e, i) => ({
            logStreamName: "111122223333_CloudTrail_us-east-1",
            timestamp: e.timestamp,
            message: e.message,
            ingestionTime: e.ingestedAt ?? e.timestamp + 1000,
            eventId: `${e.timestamp}-${offset + i}`,
        })),
        searchedLogStreams: [],
        ...(next ? { nextToken: next } : {}),
    };
}
