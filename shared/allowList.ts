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

interface Network {
    version: 4 | 6;
    base: bigint;
    bits: number;
}

function parseIPv4(text: string): bigint | undefined {
    const parts = text.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
        return undefined;
    }
    return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseIPv6(text: string): bigint | undefined {
    if (!/^[0-9a-fA-F:]+$/.test(text) || text.split("::").length > 2) {
        return undefined;
    }
    const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
    const left = head ? head.split(":") : [];
    const right = tail ? tail.split(":") : [];
    const missing = 8 - left.length - right.length;
    if ((tail === undefined && missing !== 0) || (tail !== undefined && missing < 1)) {
        return undefined;
    }
    const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right];
    if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) {
        return undefined;
    }
    return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function parseAddress(text: string): { version: 4 | 6; value: bigint } | undefined {
    const v4 = parseIPv4(text);
    if (v4 !== undefined) {
        return { version: 4, value: v4 };
    }
    const v6 = parseIPv6(text);
    return v6 === undefined ? undefined : { version: 6, value: v6 };
}

/** Parses `203.0.113.0/24` or `2001:db8::/32`; undefined when malformed or when host bits are set. */
export function parseCidr(cidr: string): Network | undefined {
    const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
    if (!match) {
        return undefined;
    }
    const address = parseAddress(match[1]!);
    const bits = Number(match[2]);
    if (!address || bits > (address.version === 4 ? 32 : 128)) {
        return undefined;
    }
    const width = address.version === 4 ? 32n : 128n;
    const hostMask = (1n << (width - BigInt(bits))) - 1n;
    if ((address.value & hostMask) !== 0n) {
        return undefined;
    }
    return { version: address.version, base: address.value, bits };
}

/** Whether an address (as CloudTrail writes sourceIPAddress) lies in a network. */
export function inNetwork(ip: string, network: Network): boolean {
    const address = parseAddress(ip);
    if (!address || address.version !== network.version) {
        return false;
    }
    const width = network.version === 4 ? 32n : 128n;
    const shift = width - BigInt(network.bits);
    return address.value >> shift === network.base >> shift;
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
        const bad = (e.cidrs ?? []).find((c) => typeof c !== "string" || !parseCidr(c));
        if (bad !== undefined) {
            return `${where}.cidrs has ${JSON.stringify(bad)}, which is not a network in CIDR notation such as 203.0.113.0/24 or 2001:db8::/32 (host bits must be zero)`;
        }
        const badPattern = (e.rolePatterns ?? []).find((p) => typeof p !== "string" || !parseRolePattern(p));
        if (badPattern !== undefined) {
            return `${where}.rolePatterns has ${JSON.stringify(badPattern)}, which is not a role name pattern (letters, digits, + = , . @ - _ and * only)`;
        }
        if ((e.userNames ?? []).some((u) => typeof u !== "string" || u === "")) {
            return `${where}.userNames must be a list of IAM user names`;
        }
        if (e.rules !== undefined && (!Array.isArray(e.rules) || e.rules.some((r) => typeof r !== "string"))) {
            return `${where}.rules must be a list of rule ids`;
        }
    }
    return undefined;
}
