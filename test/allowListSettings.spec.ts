import { EVERY_PUBLIC_IPV4 } from "./support/networks";
import * as assert from "assert";
import { ConfigError, readStackSettings, type ConfigSource } from "../program/settings";
import { cliConfigSource } from "./support/cliConfig";
import { TEST_WEBHOOK } from "./support/program";

const KEY = "console-login-alerts:allowList";
const NETWORK_FIX = 'list only the networks you trust, or use "action": "downgrade".';
const CRITICAL_FIX = 'Add userNames, list only other rules in "rules", or use "action": "downgrade".';

function source(values: Record<string, string>): ConfigSource {
    const all: Record<string, string> = { slackWebhookUrl: TEST_WEBHOOK, ...values };
    return { get: (k) => all[k], isSecret: (k) => k === "slackWebhookUrl" };
}

function errorOf(config: ConfigSource): string {
    try {
        readStackSettings(config);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `threw ${String(err)}`);
        return err.message;
    }
    assert.fail("no error");
}

function allowListError(allowList: unknown[], values: Record<string, string> = {}): string {
    return errorOf(source({ ...values, allowList: JSON.stringify(allowList) }));
}

describe("allow-list breadth", function () {
    it("refuses a role pattern that matches every role, whatever the action", function () {
        for (const [pattern, action] of [
            ["*", "suppress"],
            ["**", "downgrade"],
        ]) {
            assert.strictEqual(
                allowListError([
                    { userNames: ["ops-admin"], action: "downgrade" },
                    { rolePatterns: ["Okta.Admins", pattern], action },
                ]),
                `Configuration key ${KEY}[1].rolePatterns has "${pattern}", which matches every role and so names no one; list the roles you mean, such as "AWSReservedSSO_ReadOnly_*".`,
            );
        }
    });

    it("refuses a suppressing pattern that matches every IAM Identity Center role, even for one rule", function () {
        for (const [pattern, rules] of [
            ["AWSReservedSSO_*", undefined],
            ["AWSReservedSSO_*", ["console-signin"]],
            ["AWS*", ["signin-failures"]],
            ["*_*", ["console-signin"]],
        ] as const) {
            assert.strictEqual(
                allowListError([{ rolePatterns: [pattern], ...(rules ? { rules } : {}), action: "suppress" }]),
                `Configuration key ${KEY}[0].rolePatterns has "${pattern}", which matches every IAM Identity Center role, so it would suppress everyone who signs in through Identity Center; name the permission sets you trust, such as "AWSReservedSSO_ReadOnly_*", or use "action": "downgrade".`,
            );
        }
    });

    it("refuses a suppressing entry that reaches a critical rule without naming users", function () {
        const refused: Array<[unknown[], string]> = [
            [
                [{ rolePatterns: ["AWSReservedSSO_ReadOnly_*"], action: "suppress" }],
                `Configuration key ${KEY}[0] {"rolePatterns":["AWSReservedSSO_ReadOnly_*"],"action":"suppress"} suppresses the critical rules root-activity, trail-tampering, function-tampering, delivery-tampering without naming users; a critical rule may be suppressed only for the IAM users listed in userNames. ${CRITICAL_FIX}`,
            ],
            [
                [{ cidrs: ["203.0.113.0/24"], action: "suppress" }],
                `Configuration key ${KEY}[0] {"cidrs":["203.0.113.0/24"],"action":"suppress"} suppresses the critical rules root-activity, trail-tampering, function-tampering, delivery-tampering without naming users; a critical rule may be suppressed only for the IAM users listed in userNames. ${CRITICAL_FIX}`,
            ],
            [
                [{ cidrs: ["203.0.113.0/24"], rules: ["console-signin", "root-activity"], action: "suppress" }],
                `Configuration key ${KEY}[0] {"cidrs":["203.0.113.0/24"],"rules":["console-signin","root-activity"],"action":"suppress"} suppresses the critical rule root-activity without naming users; a critical rule may be suppressed only for the IAM users listed in userNames. ${CRITICAL_FIX}`,
            ],
            // Two halves of the address space, unscoped: the first already reaches the critical rules.
            [
                [
                    { cidrs: ["0.0.0.0/1"], action: "suppress" },
                    { cidrs: ["128.0.0.0/1"], action: "suppress" },
                ],
                `Configuration key ${KEY}[0] {"cidrs":["0.0.0.0/1"],"action":"suppress"} suppresses the critical rules root-activity, trail-tampering, function-tampering, delivery-tampering without naming users; a critical rule may be suppressed only for the IAM users listed in userNames. ${CRITICAL_FIX}`,
            ],
        ];
        for (const [allowList, message] of refused) {
            assert.strictEqual(allowListError(allowList), message);
        }
        const custom = JSON.stringify([{ id: "break-glass", pattern: "{ $.a = 1 }", severity: "critical" }]);
        assert.strictEqual(
            allowListError([{ rolePatterns: ["Okta.Admins"], rules: ["break-glass"], action: "suppress" }], { customRules: custom }),
            `Configuration key ${KEY}[0] {"rolePatterns":["Okta.Admins"],"rules":["break-glass"],"action":"suppress"} suppresses the critical rule break-glass without naming users; a critical rule may be suppressed only for the IAM users listed in userNames. ${CRITICAL_FIX}`,
        );
    });

    it("refuses user names that are not exact IAM user names", function () {
        for (const bad of ["*", "ops-*", "a".repeat(65)]) {
            assert.strictEqual(
                allowListError([{ userNames: ["ops-admin", bad], action: "suppress" }]),
                `Configuration key ${KEY}[0].userNames has ${JSON.stringify(bad)}, which is not an IAM user name; user names match exactly, without wildcards (1 to 64 letters, digits and + = , . @ - _). Fix it with: pulumi config set --path 'allowList' '[{"userNames":["break-glass"],"cidrs":["203.0.113.0/24"],"action":"downgrade"}]'`,
            );
        }
        assert.strictEqual(
            allowListError([{ userNames: "ops-admin", action: "suppress" }]),
            `Configuration key ${KEY}[0].userNames must be a list of IAM user names. Fix it with: pulumi config set --path 'allowList' '[{"userNames":["break-glass"],"cidrs":["203.0.113.0/24"],"action":"downgrade"}]'`,
        );
    });

    it("refuses one suppressing entry whose networks cover every address, or every public address", function () {
        const refused: Array<[unknown[], string]> = [
            [
                [{ cidrs: ["0.0.0.0/0", "::/0"], action: "suppress" }],
                `Configuration key ${KEY}[0] (cidrs 0.0.0.0/0) suppresses every rule for every IPv4 address (0.0.0.0/0); ${NETWORK_FIX}`,
            ],
            [
                [
                    { userNames: ["ops-admin"], action: "downgrade" },
                    { userNames: ["deploy-bot"], cidrs: ["203.0.113.0/24", "::/0"], action: "suppress" },
                ],
                `Configuration key ${KEY}[1] (cidrs ::/0) suppresses every rule for every IPv6 address (::/0); ${NETWORK_FIX}`,
            ],
            [
                [{ cidrs: ["0.0.0.0/1", "128.0.0.0/1"], rules: ["console-signin"], action: "suppress" }],
                `Configuration key ${KEY}[0] (cidrs 0.0.0.0/1, 128.0.0.0/1) suppresses the rule console-signin for every IPv4 address (0.0.0.0/0); ${NETWORK_FIX}`,
            ],
            [
                [{ cidrs: EVERY_PUBLIC_IPV4, rules: ["console-signin", "signin-failures"], action: "suppress" }],
                `Configuration key ${KEY}[0] (cidrs ${EVERY_PUBLIC_IPV4.join(", ")}) suppresses the rules console-signin, signin-failures for every public IPv4 address (all but the private and special-purpose ranges); ${NETWORK_FIX}`,
            ],
            [
                [{ userNames: ["deploy-bot"], cidrs: ["2000::/3"], action: "suppress" }],
                `Configuration key ${KEY}[0] (cidrs 2000::/3) suppresses every rule for every public IPv6 address (all of 2000::/3 but the special-purpose ranges); ${NETWORK_FIX}`,
            ],
        ];
        for (const [allowList, message] of refused) {
            assert.strictEqual(allowListError(allowList), message);
        }
    });

    it("refuses network-only entries that together cover every address under one rule, naming only those that do", function () {
        const refused: Array<[unknown[], string]> = [
            [
                [
                    { cidrs: ["0.0.0.0/1"], rules: ["console-signin"], action: "suppress" },
                    { cidrs: ["64.0.0.0/2"], rules: ["console-signin"], action: "suppress" },
                    { cidrs: ["203.0.113.0/24"], rules: ["signin-failures"], action: "suppress" },
                    { cidrs: ["198.51.100.0/24", "128.0.0.0/1"], rules: ["console-signin", "signin-failures"], action: "suppress" },
                ],
                `Configuration keys ${KEY}[0] (cidrs 0.0.0.0/1) and ${KEY}[3] (cidrs 198.51.100.0/24, 128.0.0.0/1) together suppress the rule console-signin for every IPv4 address (0.0.0.0/0); ${NETWORK_FIX}`,
            ],
            [
                [
                    { cidrs: ["2000::/4"], rules: ["console-signin", "signin-failures"], action: "suppress" },
                    { cidrs: ["3000::/5"], rules: ["console-signin", "signin-failures"], action: "suppress" },
                    { cidrs: ["3800::/5"], rules: ["signin-failures", "console-signin"], action: "suppress" },
                ],
                `Configuration keys ${KEY}[0] (cidrs 2000::/4), ${KEY}[1] (cidrs 3000::/5) and ${KEY}[2] (cidrs 3800::/5) together suppress the rules console-signin, signin-failures for every public IPv6 address (all of 2000::/3 but the special-purpose ranges); ${NETWORK_FIX}`,
            ],
        ];
        for (const [allowList, message] of refused) {
            assert.strictEqual(allowListError(allowList), message);
        }
    });

    it("accepts lists that name people, known networks or a few rules", function () {
        const accepted = [
            { cidrs: ["10.0.0.0/8"], rules: ["console-signin", "signin-failures"], action: "suppress" },
            { cidrs: ["203.0.113.0/24", "2001:db8::/32"], rules: ["console-signin"], action: "suppress" },
            { userNames: ["break-glass"], cidrs: ["203.0.113.0/24"], action: "suppress" },
            { userNames: ["deploy-bot"], action: "suppress" },
            { rolePatterns: ["AWSReservedSSO_ReadOnly_*"], rules: ["console-signin"], action: "suppress" },
            { rolePatterns: ["AWSReservedSSO_*"], action: "downgrade" },
            { cidrs: ["0.0.0.0/0"], userNames: ["ops-admin"], action: "downgrade" },
            // Each person from half the addresses: no one is suppressed from everywhere but by name.
            { userNames: ["alice"], cidrs: ["0.0.0.0/1"], action: "suppress" },
            { userNames: ["bob"], cidrs: ["128.0.0.0/1"], action: "suppress" },
            // Halves under different rules, or suppressed under one and only downgraded under the other.
            { cidrs: ["0.0.0.0/1"], rules: ["signin-failures"], action: "suppress" },
            { cidrs: ["128.0.0.0/1"], rules: ["sso-signin-without-mfa"], action: "suppress" },
            { cidrs: ["128.0.0.0/1"], action: "downgrade" },
        ];
        const s = readStackSettings(source({ allowList: JSON.stringify(accepted) }));
        assert.deepStrictEqual(s.allowList, accepted);
    });

    it("stops a stack file's allow-list as pulumi preview reads it, with every other key at its Pulumi.yaml default", function () {
        assert.strictEqual(
            errorOf(cliConfigSource({ allowList: [{ rolePatterns: ["*"], action: "suppress" }] })),
            `Configuration key ${KEY}[0].rolePatterns has "*", which matches every role and so names no one; list the roles you mean, such as "AWSReservedSSO_ReadOnly_*".`,
        );
        const kept = [{ rolePatterns: ["AWSReservedSSO_ReadOnly_*"], rules: ["console-signin"], action: "suppress" }];
        assert.deepStrictEqual(readStackSettings(cliConfigSource({ allowList: kept })).allowList, kept);
    });
});
