/**
 * Reading EventBridge event patterns, just far enough to tell whether one lets console sign-ins
 * through: not a full matcher (of `detail`, only `eventName` is judged).
 */
import { NOT_YET_KNOWN, type NotYetKnown } from "./props";

/** What CloudTrail sends EventBridge for a console sign-in (EventBridge Events Reference, "AWS Sign-In events"). */
export const SIGNIN_SOURCE = "aws.signin";
export const SIGNIN_DETAIL_TYPE = "AWS Console Sign In via CloudTrail";
export const SIGNIN_EVENT_NAME = "ConsoleLogin";

function parse(pattern: unknown): Record<string, unknown> | undefined | NotYetKnown {
    if (pattern === NOT_YET_KNOWN) {
        return NOT_YET_KNOWN;
    }
    if (typeof pattern !== "string") {
        return undefined;
    }
    try {
        const parsed: unknown = JSON.parse(pattern);
        return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
    } catch {
        return undefined;
    }
}

/** A top-level `$or` multiplies a pattern into alternatives, each with the pattern's other fields. */
function alternatives(pattern: Record<string, unknown>): Array<Record<string, unknown>> {
    const { $or: or, ...rest } = pattern;
    if (!Array.isArray(or)) {
        return [rest];
    }
    return or.filter((b): b is Record<string, unknown> => b !== null && typeof b === "object").map((b) => ({ ...rest, ...b }));
}

function wildcardAdmits(wildcard: string, value: string): boolean {
    const parts = wildcard.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    return new RegExp(`^${parts.join(".*")}$`).test(value);
}

/**
 * One value of a list: the value itself, or a `{prefix}`, `{suffix}` or `{wildcard}` that takes it
 * (EventBridge User Guide, "Content filtering in Amazon EventBridge event patterns"). Any other
 * operator is taken to admit it: the policy then stays quiet rather than warn wrongly.
 */
function admits(matcher: unknown, value: string): boolean {
    if (typeof matcher === "string") {
        return matcher === value;
    }
    if (matcher === null || typeof matcher !== "object") {
        return false;
    }
    const { prefix, suffix, wildcard } = matcher as { prefix?: unknown; suffix?: unknown; wildcard?: unknown };
    if (typeof prefix === "string") {
        return value.startsWith(prefix);
    }
    if (typeof suffix === "string") {
        return value.endsWith(suffix);
    }
    return typeof wildcard === "string" ? wildcardAdmits(wildcard, value) : true;
}

/** Alternatives within alternatives: an `$or` whose branches hold an `$or` of their own, expanded to the end. */
function everyAlternative(pattern: Record<string, unknown>): Array<Record<string, unknown>> {
    const first = alternatives(pattern);
    return first.length === 1 && !Array.isArray(pattern["$or"]) ? first : first.flatMap(everyAlternative);
}

function allows(field: unknown, value: string, required: boolean): boolean {
    if (field === undefined) {
        return !required;
    }
    return Array.isArray(field) && field.some((matcher) => admits(matcher, value));
}

/**
 * Whether a pattern's `detail` can take a console sign-in: some alternative of it leaves `eventName`
 * open or lets "ConsoleLogin" through. The rest of `detail` is not judged.
 */
function detailAdmitsSignIns(detail: unknown): boolean {
    if (detail === undefined) {
        return true;
    }
    if (detail === null || typeof detail !== "object" || Array.isArray(detail)) {
        return false;
    }
    return everyAlternative(detail as Record<string, unknown>).some((a) => allows(a["eventName"], SIGNIN_EVENT_NAME, false));
}

/**
 * True when one alternative of the pattern admits `source: aws.signin` (by name or by a prefix of it) and, if it filters on
 * detail-type, lists "AWS Console Sign In via CloudTrail". NOT_YET_KNOWN while the pattern is.
 */
export function admitsConsoleSignIns(pattern: unknown): boolean | NotYetKnown {
    const parsed = parse(pattern);
    if (parsed === NOT_YET_KNOWN) {
        return NOT_YET_KNOWN;
    }
    if (!parsed) {
        return false;
    }
    return alternatives(parsed).some(
        (a) =>
            allows(a["source"], SIGNIN_SOURCE, true) &&
            allows(a["detail-type"], SIGNIN_DETAIL_TYPE, false) &&
            detailAdmitsSignIns(a["detail"]),
    );
}
