/**
 * The allowList key: its entries' shape (shared/allowList.ts), and how much they may silence.
 *
 * A `suppress` entry is never posted, so it must say who it is about where that matters:
 * - a critical rule is suppressed only for IAM users named in `userNames` (exact names); a role
 *   pattern or a network alone never silences root activity or trail tampering;
 * - no role pattern may match every role (`*`, `**`), whatever the action, for it names no one;
 *   nor may a suppressing one match every IAM Identity Center role (`AWSReservedSSO_*`, `AWS*`),
 *   whatever its rules: in an organization that signs in through Identity Center that is everyone;
 * - networks are judged by their union, per address family: no suppressing entry, and no set of
 *   entries that name no one (networks alone) under any one rule, may cover every address
 *   (0.0.0.0/0, ::/0) or every public one.
 * A `downgrade` entry still posts every sign-in, so only the catch-all pattern is refused there.
 */
import { allowListProblem, parseCidr, parseRolePattern, type AllowEntry, type Network } from "../shared/allowList";
import { ConfigError, key, readJson, type ConfigSource } from "./configValues";
import { DEFAULTS } from "./defaults";
import { blanketOf, type Blanket, type Family } from "./networkCover";
import type { DeployTimeRule } from "./rules";

/**
 * The roles IAM Identity Center creates in an account for its permission sets have names beginning
 * "AWSReservedSSO_" (IAM Identity Center User Guide, "IAM roles created by IAM Identity Center"), so
 * a pattern matching every name after that prefix matches every person who signs in through it.
 */
const IDENTITY_CENTER_ROLE_PREFIX = "AWSReservedSSO_";

/**
 * Whether a pattern matches every role name that starts with `prefix`. Role names never hold "~",
 * so a pattern that matches `prefix` + "~" spends the "~" on a trailing `*`, and that `*` takes any
 * other ending as well: the test is exact, not a sample.
 */
function matchesAllAfter(pattern: string, prefix: string): boolean {
    return parseRolePattern(pattern)?.test(`${prefix}~`) ?? false;
}

function patternProblem(entry: AllowEntry): string | undefined {
    const patterns = entry.rolePatterns ?? [];
    const everyRole = patterns.find((p) => matchesAllAfter(p, ""));
    if (everyRole !== undefined) {
        return `has ${JSON.stringify(everyRole)}, which matches every role and so names no one; list the roles you mean, such as "AWSReservedSSO_ReadOnly_*".`;
    }
    const everyPerson = patterns.find((p) => matchesAllAfter(p, IDENTITY_CENTER_ROLE_PREFIX));
    if (everyPerson !== undefined && entry.action === "suppress") {
        return (
            `has ${JSON.stringify(everyPerson)}, which matches every IAM Identity Center role, so it would suppress everyone who signs in ` +
            `through Identity Center; name the permission sets you trust, such as "AWSReservedSSO_ReadOnly_*", or use "action": "downgrade".`
        );
    }
    return undefined;
}

function appliesTo(entry: AllowEntry, rule: DeployTimeRule): boolean {
    return entry.rules === undefined || entry.rules.includes(rule.id);
}

function criticalProblem(entry: AllowEntry, index: number, rules: readonly DeployTimeRule[]): string | undefined {
    const critical = rules.filter((r) => r.severity === "critical" && appliesTo(entry, r)).map((r) => r.id);
    if (critical.length === 0 || entry.userNames?.length) {
        return undefined;
    }
    return (
        `Configuration key ${key(`allowList[${index}]`)} ${JSON.stringify(entry)} suppresses the critical ` +
        `${critical.length === 1 ? "rule" : "rules"} ${critical.join(", ")} without naming users; a critical rule may be suppressed ` +
        `only for the IAM users listed in userNames. Add userNames, list only other rules in "rules", or use "action": "downgrade".`
    );
}

interface Indexed {
    index: number;
    entry: AllowEntry;
}

const FAMILIES: readonly Family[] = ["ipv4", "ipv6"];

const SPACE: Record<Blanket, Record<Family, string>> = {
    whole: { ipv4: "every IPv4 address (0.0.0.0/0)", ipv6: "every IPv6 address (::/0)" },
    public: {
        ipv4: "every public IPv4 address (all but the private and special-purpose ranges)",
        ipv6: "every public IPv6 address (all of 2000::/3 but the special-purpose ranges)",
    },
};

function networksOf(entries: readonly Indexed[]): Network[] {
    return entries.flatMap(({ entry }) => (entry.cidrs ?? []).map((c) => parseCidr(c))).filter((n): n is Network => n !== undefined);
}

/** Drops, in order, every entry the blanket does not need, so the message names only the ones that make it. */
function needed(entries: readonly Indexed[], family: Family, blanket: Blanket): Indexed[] {
    let kept = [...entries];
    for (const candidate of entries) {
        const without = kept.filter((e) => e !== candidate);
        if (blanketOf(networksOf(without), family) === blanket) {
            kept = without;
        }
    }
    return kept;
}

function listed(items: readonly string[]): string {
    return items.length === 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** The message for entries that, together, suppress a rule from every address of a family, or undefined. */
function blanketProblem(entries: readonly Indexed[], rules: readonly DeployTimeRule[]): string | undefined {
    for (const family of FAMILIES) {
        const blanket = blanketOf(networksOf(entries), family);
        if (blanket === undefined) {
            continue;
        }
        const culprits = needed(entries, family, blanket);
        const names = culprits.map(
            ({ index, entry }) =>
                `${key(`allowList[${index}]`)} (cidrs ${(entry.cidrs ?? []).filter((c) => parseCidr(c)?.[0].kind() === family).join(", ")})`,
        );
        const scoped = rules.filter((r) => culprits.every(({ entry }) => appliesTo(entry, r))).map((r) => r.id);
        const scope = culprits.every(({ entry }) => entry.rules === undefined)
            ? "every rule"
            : `the ${scoped.length === 1 ? "rule" : "rules"} ${scoped.join(", ")}`;
        const subject =
            culprits.length === 1
                ? `Configuration key ${listed(names)} suppresses`
                : `Configuration keys ${listed(names)} together suppress`;
        return `${subject} ${scope} for ${SPACE[blanket][family]}; list only the networks you trust, or use "action": "downgrade".`;
    }
    return undefined;
}

/** Per entry: its rules exist, its patterns name someone, its own networks and its reach are bounded. */
function checkEntry(entry: AllowEntry, index: number, rules: readonly DeployTimeRule[]): void {
    const unknown = (entry.rules ?? []).find((id) => !rules.some((r) => r.id === id));
    if (unknown !== undefined) {
        throw new ConfigError(
            `Configuration key ${key(`allowList[${index}].rules`)} names ${unknown}, which is not a rule of this stack (${rules.map((r) => r.id).join(", ")}).`,
        );
    }
    const pattern = patternProblem(entry);
    if (pattern !== undefined) {
        throw new ConfigError(`Configuration key ${key(`allowList[${index}].rolePatterns`)} ${pattern}`);
    }
    // An entry whose "rules" is empty applies to no rule, so it silences nothing.
    if (entry.action !== "suppress" || !rules.some((r) => appliesTo(entry, r))) {
        return;
    }
    const problem = blanketProblem([{ index, entry }], rules) ?? criticalProblem(entry, index, rules);
    if (problem !== undefined) {
        throw new ConfigError(problem);
    }
}

/** Across entries: under each rule, the suppressing entries that name no one must leave some network out. */
function checkNetworkUnion(entries: readonly AllowEntry[], rules: readonly DeployTimeRule[]): void {
    const networkOnly = entries
        .map((entry, index) => ({ index, entry }))
        .filter(({ entry }) => entry.action === "suppress" && !entry.userNames?.length && !entry.rolePatterns?.length);
    for (const rule of rules) {
        const problem = blanketProblem(
            networkOnly.filter(({ entry }) => appliesTo(entry, rule)),
            rules,
        );
        if (problem !== undefined) {
            throw new ConfigError(problem);
        }
    }
}

export function readAllowList(source: ConfigSource, rules: readonly DeployTimeRule[]): AllowEntry[] {
    const example = '[{"userNames":["break-glass"],"cidrs":["203.0.113.0/24"],"action":"downgrade"}]';
    const entries = readJson<unknown>(source, "allowList", DEFAULTS.allowList, example);
    const problem = allowListProblem(entries);
    if (problem) {
        throw new ConfigError(
            `Configuration key ${key("allowList")}${problem}. Fix it with: pulumi config set --path 'allowList' '${example}'`,
        );
    }
    const list = entries as AllowEntry[];
    list.forEach((entry, index) => checkEntry(entry, index, rules));
    checkNetworkUnion(list, rules);
    return list;
}
