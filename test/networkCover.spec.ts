import { EVERY_PUBLIC_IPV4 } from "./support/networks";
import * as assert from "assert";
import ipaddr from "ipaddr.js";
import { parseCidr, type Network } from "../shared/allowList";
import { blanketOf, publicIntervals, type Family } from "../program/networkCover";

function networks(...cidrs: string[]): Network[] {
    return cidrs.map((c) => {
        const network = parseCidr(c);
        assert.ok(network, c);
        return network;
    });
}

function addressAt(n: bigint, family: Family): ipaddr.IPv4 | ipaddr.IPv6 {
    const length = family === "ipv4" ? 4 : 16;
    return ipaddr.fromByteArray(Array.from({ length }, (_, i) => Number((n >> BigInt(8 * (length - 1 - i))) & 255n)));
}

// 8.0.0.0/7 less 8.8.8.0/24.
const AROUND_8_8_8 = [
    "9.0.0.0/8",
    "8.0.0.0/13",
    "8.8.0.0/21",
    "8.8.9.0/24",
    "8.8.10.0/23",
    "8.8.12.0/22",
    "8.8.16.0/20",
    "8.8.32.0/19",
    "8.8.64.0/18",
    "8.8.128.0/17",
    "8.9.0.0/16",
    "8.10.0.0/15",
    "8.12.0.0/14",
    "8.16.0.0/12",
    "8.32.0.0/11",
    "8.64.0.0/10",
    "8.128.0.0/9",
];

describe("network cover", function () {
    it("judges networks by their union: the whole space, every public address, or neither", function () {
        const table: Array<[string[], Family, string | undefined]> = [
            [["0.0.0.0/0"], "ipv4", "whole"],
            [["0.0.0.0/1", "128.0.0.0/1"], "ipv4", "whole"],
            [["128.0.0.0/1", "0.0.0.0/2", "64.0.0.0/2", "10.0.0.0/8"], "ipv4", "whole"],
            [["0.0.0.0/1", "128.0.0.0/2"], "ipv4", undefined],
            [["10.0.0.0/8"], "ipv4", undefined],
            [["0.0.0.0/1", "128.0.0.0/1"], "ipv6", undefined],
            [["::/0"], "ipv6", "whole"],
            [["::/1", "8000::/1"], "ipv6", "whole"],
            [["2000::/3"], "ipv6", "public"],
            [["2000::/4", "3000::/4"], "ipv6", "public"],
            [["2000::/4"], "ipv6", undefined],
            [["2001:db8::/32"], "ipv6", undefined],
            [["::/0"], "ipv4", undefined],
        ];
        for (const [cidrs, family, expected] of table) {
            assert.strictEqual(blanketOf(networks(...cidrs), family), expected, `${cidrs.join(" ")} (${family})`);
        }
    });

    it("counts every IPv4 network but the private and special-purpose ones as all public addresses, and one /24 less as not", function () {
        assert.strictEqual(blanketOf(networks(...EVERY_PUBLIC_IPV4), "ipv4"), "public");
        // 8.8.8.0/24 is public: with 8.0.0.0/7 split around it, half of it left out, the list falls short.
        const without = EVERY_PUBLIC_IPV4.filter((c) => c !== "8.0.0.0/7");
        assert.strictEqual(blanketOf(networks(...without, ...AROUND_8_8_8, "8.8.8.0/25"), "ipv4"), undefined);
        assert.strictEqual(blanketOf(networks(...without, ...AROUND_8_8_8, "8.8.8.0/24"), "ipv4"), "public");
    });

    it("takes as public exactly the addresses ipaddr.js's range() calls unicast (in 2000::/3 for IPv6)", function () {
        for (const family of ["ipv4", "ipv6"] as const) {
            const intervals = publicIntervals(family);
            assert.ok(intervals.length > 3, family);
            const max = family === "ipv4" ? (1n << 32n) - 1n : (1n << 128n) - 1n;
            for (const [start, end] of intervals) {
                for (const inside of [start, end]) {
                    assert.strictEqual(addressAt(inside, family).range(), "unicast", addressAt(inside, family).toString());
                }
                for (const outside of [start - 1n, end + 1n].filter((n) => n >= 0n && n <= max)) {
                    const address = addressAt(outside, family);
                    const inGlobal = family === "ipv4" || address.match(ipaddr.parseCIDR("2000::/3") as [ipaddr.IPv6, number]);
                    assert.ok(address.range() !== "unicast" || !inGlobal, `${address.toString()} is public but left out`);
                }
            }
        }
    });
});
