/**
 * How much of the address space a set of networks covers, judged by their union: two halves
 * (0.0.0.0/1 and 128.0.0.0/1) cover everything as surely as 0.0.0.0/0 does.
 */
import ipaddr from "ipaddr.js";
import type { Network } from "../shared/allowList";

export type Family = "ipv4" | "ipv6";

/** The whole of a family's space, or every public address in it. */
export type Blanket = "whole" | "public";

/** An inclusive range of addresses, as numbers. */
type Interval = readonly [bigint, bigint];

const BITS: Record<Family, number> = { ipv4: 32, ipv6: 128 };

function intervalOf([address, bits]: Network): Interval {
    const start = address.toByteArray().reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
    return [start, start + (1n << BigInt(BITS[address.kind()] - bits)) - 1n];
}

/** Sorted, with overlapping and adjacent intervals joined. */
function union(intervals: readonly Interval[]): Interval[] {
    const joined: Array<[bigint, bigint]> = [];
    for (const [start, end] of [...intervals].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
        const last = joined.at(-1);
        if (last && start <= last[1] + 1n) {
            last[1] = end > last[1] ? end : last[1];
        } else {
            joined.push([start, end]);
        }
    }
    return joined;
}

/** `within` less the union of `holes`. */
function minus(within: Interval, holes: readonly Interval[]): Interval[] {
    const left: Interval[] = [];
    let next = within[0];
    for (const [start, end] of union(holes)) {
        if (end < next || start > within[1]) {
            continue;
        }
        if (start > next) {
            left.push([next, start - 1n]);
        }
        next = end + 1n;
    }
    return next <= within[1] ? [...left, [next, within[1]]] : left;
}

// ipaddr.js's own table of the ranges its range() names (private, loopback, multicast, reserved...):
// whatever it does not name is "unicast". The table is not in its typings; each value is one
// [address, prefix] pair or a list of them.
type RangeTable = Record<string, Network | Network[]>;

function specialRanges(family: Family): Interval[] {
    const table = (family === "ipv4" ? ipaddr.IPv4.prototype : ipaddr.IPv6.prototype) as unknown as { SpecialRanges: RangeTable };
    return Object.values(table.SpecialRanges).flatMap((ranges) =>
        (Array.isArray(ranges[0]) ? (ranges as Network[]) : [ranges as Network]).map(intervalOf),
    );
}

const WHOLE: Record<Family, Interval> = { ipv4: [0n, (1n << 32n) - 1n], ipv6: [0n, (1n << 128n) - 1n] };

/**
 * Public addresses: every IPv4 unicast address, and the IPv6 unicast addresses in 2000::/3, the
 * only block the IANA IPv6 Address Space registry allocates as Global Unicast (the rest is
 * "Reserved by IETF"). Sign-ins come from these; a list covering them all trusts everyone.
 */
const PUBLIC: Record<Family, Interval[]> = {
    ipv4: minus(WHOLE.ipv4, specialRanges("ipv4")),
    ipv6: minus(intervalOf(ipaddr.parseCIDR("2000::/3")), specialRanges("ipv6")),
};

function coversAll(cover: readonly Interval[], targets: readonly Interval[]): boolean {
    return targets.every(([start, end]) => cover.some(([s, e]) => s <= start && end <= e));
}

/** Whether networks of one family, together, cover that family's whole space or all its public addresses. */
export function blanketOf(networks: readonly Network[], family: Family): Blanket | undefined {
    const cover = union(networks.filter(([address]) => address.kind() === family).map(intervalOf));
    if (coversAll(cover, [WHOLE[family]])) {
        return "whole";
    }
    return coversAll(cover, PUBLIC[family]) ? "public" : undefined;
}

/** The public intervals, for tests that check them against ipaddr.js's range(). */
export function publicIntervals(family: Family): ReadonlyArray<Interval> {
    return PUBLIC[family];
}
