import * as assert from "assert";
import { dispose } from "../handler/allow";
import { allowListProblem, inNetwork, parseCidr, parseRolePattern, type AllowEntry } from "../shared/allowList";
import { parseCloudTrailRecord, toSignIn } from "../handler/parse";
import type { SignIn } from "../handler/types";
import { fixture } from "./support/program";

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
        assert.strictEqual(allowListProblem([{ userNames: [""], action: "suppress" }]), "[0].userNames must be a list of IAM user names");
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
        assert.strictEqual(dispose(entries, "console-signin", signIn("iam-user-mfa")), "downgrade");
        const elsewhere = { ...signIn("iam-user-mfa"), sourceIp: "198.51.100.9" };
        assert.strictEqual(dispose(entries, "console-signin", elsewhere), "report", "a known user from an unknown network is reported");
        assert.strictEqual(dispose(entries, "console-signin", signIn("sso-assumed-role")), "suppress");
        assert.strictEqual(
            dispose(entries, "root-activity", signIn("sso-assumed-role")),
            "report",
            "the entry applies to console-signin only",
        );
        assert.strictEqual(dispose(entries, "console-signin", signIn("saml-federation")), "report");
        assert.strictEqual(dispose(entries, "signin-without-mfa", signIn("root-no-mfa")), "report", "root is never a user name");
        assert.strictEqual(
            dispose([...entries, { userNames: ["ops-admin"], action: "suppress" }], "console-signin", signIn("iam-user-mfa")),
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
