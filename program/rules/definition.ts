/**
 * What one built-in rule is, in one place: everything else that names the rule — its metric filter
 * and alarm, the catalogs' titles, the rules tables of docs/rules.md and docs/rules.ja.md, Pulumi.yaml's
 * list of rule ids, the tests of its pattern — is built or generated from this (`npm run docs`).
 */
import type { Language, Severity } from "../../shared/contract";

/**
 * An event the rule is judged on: the name of a CloudTrail record in test/fixtures
 * (`cloudtrail_<name>.json`, recorded from real trails), or a record written here for a case no
 * recording covers.
 */
export type RuleExample = string | { name: string; record: Record<string, unknown> };

export interface RuleDefinition<Id extends string = string> {
    /** Fixed id; every resource of the rule has it in its name. Lower-case letters, digits and dashes. */
    id: Id;
    severity: Severity;
    /** The title of its messages, in every language the function speaks. */
    titles: Record<Language, string>;
    /** One sentence for the rules tables: what it reports, in every language. */
    summary: Record<Language, string>;
    /** The CloudWatch Logs filter pattern: the judge on both delivery paths. */
    pattern: string;
    /** The Security Hub / CIS pattern that replaces it under `useCisPatterns`, with what that one matches. */
    cis?: { pattern: string; matches: readonly RuleExample[] };
    examples: {
        /** Events it must match: every recorded fixture it matches is listed here, and only those. */
        matches: readonly RuleExample[];
        /** Events like those it must not match, each a mistake a pattern could make. */
        nearMisses: readonly RuleExample[];
    };
}

/** A rule's definition, keeping its id's literal type so the ids of every rule make a type. */
export function defineRule<const Id extends string>(definition: RuleDefinition<Id>): RuleDefinition<Id> {
    return definition;
}
