/**
 * One event, one message: an event several of the stack's rules match (a root sign-in without MFA
 * is root activity and a sign-in without MFA) is posted once, under the most urgent of them, naming
 * the others; every rule's tally still counts it. A rule that leaves an event to a more urgent one
 * records nothing for it (nothing is recorded as posted that Slack did not take): a later lookup
 * within its window finds it again and leaves it again, while the rule it was left to posts it with
 * the same guarantee as any event of its own.
 */
import { compileParsedFilterPattern, readLogEvent, type LogEventNode } from "../../shared/filterPattern";
import { severityRank, type HandlerSettings, type RunTimeRule, type Severity } from "../../shared/contract";
import { dispositionOf } from "./disposition";
import type { SignIn } from "../common/types";

/**
 * A rule's pattern as a test of a record read once. A pattern the evaluator refuses matches nothing,
 * after `refused` is told why: the configuration check refuses such a pattern before deployment, and
 * the backstop, which CloudWatch evaluates, still finds its events.
 */
export function ruleMatcher(rule: RunTimeRule, refused: (reason: string) => void = () => undefined): (record: LogEventNode) => boolean {
    try {
        return compileParsedFilterPattern(rule.pattern);
    } catch (err) {
        refused((err as Error).message);
        return () => false;
    }
}

/** The ids of the rules whose patterns match a record's JSON text, in the stack's order; compile once with `ruleMatcher` per lookup. */
export function rulesMatching(matchers: ReadonlyArray<readonly [string, (record: LogEventNode) => boolean]>, text: string): string[] {
    const record = readLogEvent(text);
    return matchers.filter(([, matches]) => matches(record)).map(([id]) => id);
}

/** How urgent a rule's post of a sign-in would be: its severity, or informational where the allow-list downgrades it. */
function urgency(settings: HandlerSettings, rule: RunTimeRule, signIn: SignIn): Severity | undefined {
    const disposition = dispositionOf(settings.allowList, rule.id, signIn);
    return disposition === "suppress" ? undefined : disposition === "downgrade" ? "info" : rule.severity;
}

/**
 * The rules that would post a sign-in, most urgent first (the stack's order among equals): of the
 * rules it matched, those the allow-list does not suppress. The first posts it; the rest are named.
 */
export function claimants(settings: HandlerSettings, signIn: SignIn, ruleId: string): RunTimeRule[] {
    // The rule at hand found the event, by CloudWatch's own evaluation on the backstop: it claims it
    // whatever the function's evaluator says.
    const matched = [ruleId, ...(signIn.matchedRules ?? [])];
    const ranked = settings.rules
        .filter((rule) => matched.includes(rule.id))
        .flatMap((rule) => {
            const level = urgency(settings, rule, signIn);
            return level === undefined ? [] : [{ rule, rank: severityRank(level) }];
        });
    // Array.prototype.sort is stable: among equals the stack's order stays.
    return ranked.sort((a, b) => a.rank - b.rank).map((r) => r.rule);
}
