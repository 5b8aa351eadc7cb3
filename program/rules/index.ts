/**
 * The built-in rules, one file each in this folder (definition.ts says what a file holds), and the
 * deploy-time shape the rest of the program builds metric filters and alarms from.
 */
import type { Severity } from "../../shared/contract";
import { consoleSignin, ORIGINAL_SIGNIN_PATTERN } from "./consoleSignin";
import type { RuleDefinition } from "./definition";
import { deliveryTampering } from "./deliveryTampering";
import { functionTampering } from "./functionTampering";
import { rootActivity } from "./rootActivity";
import { signinFailures } from "./signinFailures";
import { signinWithoutMfa } from "./signinWithoutMfa";
import { SSO_SIGNIN_WITHOUT_MFA_PATTERN, ssoSigninWithoutMfa } from "./ssoSigninWithoutMfa";
import { trailTampering } from "./trailTampering";

export { ORIGINAL_SIGNIN_PATTERN, SSO_SIGNIN_WITHOUT_MFA_PATTERN };
export type { RuleDefinition, RuleExample } from "./definition";

/** One alert rule at deploy time: its metric filter, its alarm, and how its events are presented. */
export interface DeployTimeRule {
    /** Fixed id; every resource of the rule has it in its name. Lower-case letters, digits and dashes. */
    id: string;
    title: string;
    pattern: string;
    severity: Severity;
    /** Alarm threshold: matching events per period. */
    threshold: number;
    periodSeconds: number;
}

/** Every built-in rule, in the order they are created. */
export const RULE_DEFINITIONS = [
    consoleSignin,
    signinWithoutMfa,
    rootActivity,
    signinFailures,
    ssoSigninWithoutMfa,
    trailTampering,
    functionTampering,
    deliveryTampering,
] as const;

export type BuiltInRuleId = (typeof RULE_DEFINITIONS)[number]["id"];

/** Ids of the built-in rules, in the order they are created. */
export const BUILT_IN_RULE_IDS: readonly BuiltInRuleId[] = RULE_DEFINITIONS.map((d) => d.id);

/** Every alarm of a built-in rule fires on the first matching event of a minute. */
const ONE_EVENT_A_MINUTE = { threshold: 1, periodSeconds: 60 };

/** The built-in rules as the program deploys them, titled in English; the function shows each in the stack's language. */
export const BUILT_IN_RULES = Object.fromEntries(
    RULE_DEFINITIONS.map(({ id, severity, titles, pattern }) => [id, { id, title: titles.en, pattern, severity, ...ONE_EVENT_A_MINUTE }]),
) as Record<BuiltInRuleId, DeployTimeRule>;

/**
 * The Security Hub / CIS AWS Foundations patterns, verbatim, for accounts that must pass
 * CloudWatch.1, CloudWatch.3 and CloudWatch.6 (the controls look for these exact filters).
 */
export const CIS_PATTERNS: Partial<Record<BuiltInRuleId, string>> = Object.fromEntries(
    RULE_DEFINITIONS.flatMap((d: RuleDefinition) => (d.cis ? [[d.id, d.cis.pattern]] : [])),
);
