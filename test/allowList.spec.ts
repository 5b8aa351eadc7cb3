import * as assert from "assert";
import { dispositionOf } from "../handler/decide/disposition";
import { allowListProblem, inNetwork, parseCidr, parseRolePattern, type AllowEntry } from "../shared/allowList";
import { parseCloudTrailRecord, toSignIn } from "../handler/decide/parse";
import type { SignIn } from "../handler/common/types";
import { fixture } from "../tools/fixtures";

function signIn(name: string): SignIn {
    const parsed = parseCloudTrailRecord(JSON.stringify(fixture(`cloudtrail_${name}`)));
    assert.ok(parsed.ok);
    return toSignIn(parsed.value);
}

describe("allow-lists", function () {
    it("matches addresses against IPv4 and IPv6 networks", function () {
        const table: Array<[string, string, boolean]> = [
            ["203.0.113.24", "203.0.113.0/24", true],
            ["203.0.114.1", "203.0.113.0/24", false],
            ["203.0.113.24", "203.0.113.24/32", true],
            ["203.0.113.24", "0.0.0.0/0", true],
            ["2001:db8::1", "2001:db8::/32", true],
            ["2001:db9::1", "2001:db8::/32", false],
            ["2001:db8::1", "203.0.113.0/24", false],
            ["AWS Internal", "0.0.0.0/0", false],
            ["signin.amazonaws.com", "0.0.0.0/0", false],
        ];
        for (const [ip, cidr, expected] of table) {
            assert.strictEqual(inNetwork(ip, parseCidr(cidr)!), expected, `${ip} in ${cidr}`);
        }
    });

    it("refuses malformed networks and networks with host bits set", function () {
        for (const bad of [
            "203.0.113.0",
            "203.0.113.0/33",
            "203.0.113.7/24",
            "256.0.0.0/8",
            "2001:db8::/129",
            "2001:db8:::/32",
            "10.0.0.0/x",
            "a.b.c.d/8",
        ]) {
            assert.strictEqual(parseCidr(bad), undefined, bad);
        }
    });

    it("matches an IPv4-mapped IPv6 address (as a dual-stack listener writes it) against IPv4 networks", function () {
        const table: Array<[string, string, boolean]> = [
            ["::ffff:203.0.113.7", "203.0.113.0/24", true],
            ["::ffff:cb00:7107", "203.0.113.0/24", true],
            ["::ffff:198.51.100.7", "203.0.113.0/24", false],
            ["203.0.113.7", "::ffff:203.0.113.0/120", true],
            ["::ffff:203.0.113.7", "::ffff:203.0.113.0/120", true],
            ["::ffff:203.0.113.7", "2001:db8::/32", false],
            ["::ffff:203.0.113.7", "::/0", false],
        ];
        for (const [ip, cidr, expected] of table) {
            assert.strictEqual(inNetwork(ip, parseCidr(cidr)!), expected, `${ip} in ${cidr}`);
        }
    });

    it("refuses address forms that are more likely typos than intent: shorthand, octal, hex, zone indexes", function () {
        for (const bad of ["10.1/16", "010.0.0.0/8", "0x0a.0.0.0/8", "167772160/8", "fe80::%eth0/64", "::ffff:203.0.113.7/120"]) {
            assert.strictEqual(parseCidr(bad), undefined, bad);
        }
        for (const ip of ["10.0.0.1", "010.0.0.1", "10.1", "0x0a.0.0.1", "167772161", "fe80::1%eth0"]) {
            assert.strictEqual(inNetwork(ip, parseCidr("10.0.0.0/8")!) || inNetwork(ip, parseCidr("fe80::/10")!), ip === "10.0.0.1", ip);
        }
        assert.strictEqual(
            allowListProblem([{ cidrs: ["10.1/16"], action: "suppress" }]),
            '[0].cidrs has "10.1/16", which is not a network in CIDR notation such as 203.0.113.0/24 or 2001:db8::/32 (host bits must be zero)',
        );
        assert.strictEqual(
            allowListProblem([{ cidrs: ["203.0.113.7/24"], action: "suppress" }]),
            '[0].cidrs has "203.0.113.7/24", which is not a network in CIDR notation such as 203.0.113.0/24 or 2001:db8::/32 (host bits must be zero)',
        );
    });

    it("matches role names with * wildcards and refuses characters a role name cannot have", function () {
        assert.ok(parseRolePattern("AWSReservedSSO_ReadOnly_*")!.test("AWSReservedSSO_ReadOnly_0123456789abcdef"));
        assert.ok(!parseRolePattern("AWSReservedSSO_ReadOnly_*")!.test("AWSReservedSSO_AdministratorAccess_0123"));
        assert.ok(parseRolePattern("Okta.Admins")!.test("Okta.Admins"));
        assert.ok(!parseRolePattern("Okta.Admins")!.test("OktaXAdmins"), "a dot is literal");
        for (const bad of ["Admin/*", "role name", "a(b)", ""]) {
            assert.strictEqual(parseRolePattern(bad), undefined, bad);
        }
    });

    it("explains the first problem of a bad list", function () {
        assert.strictEqual(allowListProblem({}), "must be a list of entries");
        assert.strictEqual(allowListProblem([null]), "[0] must be an object with action and userNames, rolePatterns or cidrs");
        assert.strictEqual(
            allowListProblem([{ userNames: [""], action: "suppress" }]),
            '[0].userNames has "", which is not an IAM user name; user names match exactly, without wildcards (1 to 64 letters, digits and + = , . @ - _)',
        );
        assert.strictEqual(
            allowListProblem([{ cidrs: "10.0.0.0/8", action: "suppress" }]),
            "[0].cidrs must be a list of networks in CIDR notation",
        );
        assert.strictEqual(
            allowListProblem([{ userNames: ["a"], rules: "console-signin", action: "suppress" }]),
            "[0].rules must be a list of rule ids",
        );
        assert.strictEqual(allowListProblem([{ userNames: ["a"], action: "suppress" }]), undefined);
    });

    it("downgrades or suppresses only the sign-ins every given criterion matches, per rule", function () {
        const entries: AllowEntry[] = [
            { userNames: ["ops-admin"], cidrs: ["203.0.113.0/24"], action: "downgrade" },
            { rolePatterns: ["AWSReservedSSO_*"], rules: ["console-signin"], action: "suppress" },
        ];
        assert.strictEqual(dispositionOf(entries, "console-signin", signIn("iam-user-mfa")), "downgrade");
        const elsewhere = { ...signIn("iam-user-mfa"), sourceIp: "198.51.100.9" };
        assert.strictEqual(
            dispositionOf(entries, "console-signin", elsewhere),
            "report",
            "a known user from an unknown network is reported",
        );
        assert.strictEqual(dispositionOf(entries, "console-signin", signIn("sso-assumed-role")), "suppress");
        assert.strictEqual(
            dispositionOf(entries, "root-activity", signIn("sso-assumed-role")),
            "report",
            "the entry applies to console-signin only",
        );
        assert.strictEqual(dispositionOf(entries, "console-signin", signIn("saml-federation")), "report");
        assert.strictEqual(dispositionOf(entries, "signin-without-mfa", signIn("root-no-mfa")), "report", "root is never a user name");
        assert.strictEqual(
            dispositionOf([...entries, { userNames: ["ops-admin"], action: "suppress" }], "console-signin", signIn("iam-user-mfa")),
            "suppress",
        );
    });

    it("reads user and role names from the identity, not from display text", function () {
        assert.deepStrictEqual([signIn("iam-user-mfa").userName, signIn("iam-user-mfa").roleName], ["ops-admin", undefined]);
        assert.strictEqual(signIn("failure-unknown-user").userName, undefined);
        assert.match(signIn("sso-assumed-role").roleName!, /^AWSReservedSSO_AdministratorAccess_/);
        assert.strictEqual(signIn("root-mfa").userName, undefined);
    });
});
