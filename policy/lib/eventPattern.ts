/**
 * Reading EventBridge event patterns, just far enough to tell whether one lets console sign-ins
 * through: not a full matcher (conditions on `detail` are not evaluated).
 */
import { NOT_YET_KNOWN, type NotYetKnown } from "./props";

/** What CloudTrail sends EventBridge for a console sign-in (EventBridge Events Reference, "AWS Sign-In events"). */
export const SIGNIN_SOURCE = "aws.signin";
export const SIGNIN_DETAIL_TYPE = "AWS Console Sign In via CloudTrail";

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

function allows(field: unknown, value: string, required: boolean): boolean {
    if (field === undefined) {
        return !required;
    }
    return Array.isArray(field) && field.includes(value);
}

/**
 * True when one alternative of the pattern names `source: aws.signin` and, if it filters on
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
        (a) => allows(a["source"], SIGNIN_SOURCE, true) && allows(a["detail-type"], SIGNIN_DETAIL_TYPE, false),
    );
}
