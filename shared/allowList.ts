import ipaddr from "ipaddr.js";

/**
 * The allow-list: its shape and the parsing of its networks and role patterns, shared by the
 * configuration checks at deploy time and the function that applies it at run time.
 */
/** A known principal or network: its sign-ins are downgraded to informational or not posted at all. */
export interface AllowEntry {
    /** Rule ids this entry applies to; all rules when absent. */
    rules?: string[];
    /** IAM user names (exact). */
    userNames?: string[];
    /** Role name patterns, `*` matching any run of characters (e.g. `AWSReservedSSO_ReadOnly_*`). */
    rolePatterns?: string[];
    /** Source networks in CIDR notation, IPv4 or IPv6. */
    cidrs?: string[];
    action: "downgrade" | "suppress";
}

/** A parsed CIDR: the network's address and prefix length, as ipaddr.js matches them. */
export type Network = [ipaddr.IPv4 | ipaddr.IPv6, number];

// ipaddr.js also reads "10.1", "0x0a.0.0.1", "012.0.0.1" and a bare 32-bit number as IPv4, as
// inet_aton does; in an allow-list those are more likely typos than intent (is 012 ten or
// twelve?), so networks and source addresses must be four plain decimal parts, or IPv6. A zone
// index (fe80::1%eth0) names one host's interface and means nothing in a source address.
export function isPlainAddress(text: string): boolean {
    return ipaddr.IPv4.isValidFourPartDecimal(text) || (text.includes(":") && !text.includes("%") && ipaddr.IPv6.isValid(text));
}

function networkAddressOf([address, bits]: Network): string {
    const cidr = `${address.toString()}/${bits}`;
    return (
        address.kind() === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr)
    ).toNormalizedString();
}

/** Parses `203.0.113.0/24` or `2001:db8::/32`; undefined when malformed or when host bits are set. */
export function parseCidr(cidr: string): Network | undefined {
    const text = cidr.trim();
    const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
    if (!match || !isPlainAddress(match[1]!) || !ipaddr.isValidCIDR(text)) {
        return undefined;
    }
    const network = ipaddr.parseCIDR(text);
    const [address, bits] = network;
    if (networkAddressOf(network) !== address.toNormalizedString()) {
        return undefined;
    }
    // A network written IPv4-mapped (::ffff:203.0.113.0/120) is the IPv4 network it maps.
    if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() && bits >= 96) {
        return [address.toIPv4Address(), bits - 96];
    }
    return network;
}

/**
 * Whether an address (as CloudTrail writes sourceIPAddress) lies in a network. An IPv4-mapped
 * IPv6 address (::ffff:203.0.113.7, as a dual-stack listener writes it) is its IPv4 address.
 */
export function inNetwork(ip: string, network: Network): boolean {
    if (!isPlainAddress(ip)) {
        return false;
    }
    const address = ipaddr.process(ip);
    return address.kind() === network[0].kind() && address.match(network);
}

/** A role-name pattern with `*` wildcards; role names only allow [\w+=,.@-], so nothing else may appear. */
export function parseRolePattern(pattern: string): RegExp | undefined {
    if (!/^[\w+=,.@*-]{1,64}$/.test(pattern)) {
        return undefined;
    }
    const body = pattern
        .split("*")
        .map((part) => part.replace(/[.+]/g, (c) => `\\${c}`))
        .join(".*");
    return new RegExp(`^${body}$`);
}

/** IAM user names: 1 to 64 of [\w+=,.@-] (IAM API Reference, CreateUser, UserName). */
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;

const LIST_OF = { userNames: "IAM user names", rolePatterns: "role name patterns", cidrs: "networks in CIDR notation" } as const;

/** Checks an allow-list; returns the first problem as a sentence naming the entry, or undefined. */
export function allowListProblem(entries: unknown): string | undefined {
    if (!Array.isArray(entries)) {
        return "must be a list of entries";
    }
    for (const [i, raw] of entries.entries()) {
        const e = raw as Partial<AllowEntry> | null;
        const where = `[${i}]`;
        if (typeof e !== "object" || e === null) {
            return `${where} must be an object with action and userNames, rolePatterns or cidrs`;
        }
        if (e.action !== "downgrade" && e.action !== "suppress") {
            return `${where}.action must be downgrade or suppress`;
        }
        if (!e.userNames?.length && !e.rolePatterns?.length && !e.cidrs?.length) {
            return `${where} needs at least one of userNames, rolePatterns or cidrs`;
        }
        const notList = (["userNames", "rolePatterns", "cidrs"] as const).find(
            (field) => e[field] !== undefined && !Array.isArray(e[field]),
        );
        if (notList !== undefined) {
            return `${where}.${notList} must be a list of ${LIST_OF[notList]}`;
        }
        const bad = (e.cidrs ?? []).find((c) => typeof c !== "string" || !parseCidr(c));
        if (bad !== undefined) {
            return `${where}.cidrs has ${JSON.stringify(bad)}, which is not a network in CIDR notation such as 203.0.113.0/24 or 2001:db8::/32 (host bits must be zero)`;
        }
        const badPattern = (e.rolePatterns ?? []).find((p) => typeof p !== "string" || !parseRolePattern(p));
        if (badPattern !== undefined) {
            return `${where}.rolePatterns has ${JSON.stringify(badPattern)}, which is not a role name pattern (letters, digits, + = , . @ - _ and * only)`;
        }
        const badUser = (e.userNames ?? []).find((u) => typeof u !== "string" || !IAM_USER_NAME.test(u));
        if (badUser !== undefined) {
            return `${where}.userNames has ${JSON.stringify(badUser)}, which is not an IAM user name; user names match exactly, without wildcards (1 to 64 letters, digits and + = , . @ - _)`;
        }
        if (e.rules !== undefined && (!Array.isArray(e.rules) || e.rules.some((r) => typeof r !== "string"))) {
            return `${where}.rules must be a list of rule ids`;
        }
    }
    return undefined;
}
