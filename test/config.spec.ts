import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { DEFAULTS } from "../program/defaults";
import { ConfigError, readStackSettings, type ConfigSource } from "../program/settings";
import { BUILT_IN_RULES, CIS_PATTERNS, ORIGINAL_SIGNIN_PATTERN } from "../program/rules";
import { runWith, TEST_WEBHOOK, WEBHOOK_KEY } from "./support/program";
import { cliConfigSource } from "./support/cliConfig";
import { planStackFile } from "./support/planInProcess";
import { runProgramOffline } from "../tools/offlineEngine";
import { EXAMPLES_DIR, loadStackConfig } from "../tools/plan";

const SET = "pulumi config set --secret slackWebhookUrl https://hooks.slack.com/services/T0000/B0000/XXXXXXXX";

function source(values: Record<string, string>, secret: string[] = ["slackWebhookUrl"]): ConfigSource {
    return { get: (k) => values[k], isSecret: (k) => secret.includes(k) };
}

function errorOf(values: Record<string, string>, secret?: string[]): string {
    try {
        readStackSettings(source({ slackWebhookUrl: TEST_WEBHOOK, ...values }, secret));
    } catch (err) {
        assert.ok(err instanceof ConfigError, `threw ${String(err)}`);
        return (err as Error).message;
    }
    assert.fail("no error");
}

describe("stack configuration", function () {
    it("defaults every optional key", function () {
        const s = readStackSettings(source({ slackWebhookUrl: TEST_WEBHOOK }));
        assert.deepStrictEqual(
            { ...s, rules: s.rules.map((r) => r.id) },
            {
                slackWebhookUrl: TEST_WEBHOOK,
                timeZone: "UTC",
                trailLogRetentionDays: 365,
                functionLogRetentionDays: 365,
                trailBucketExpirationDays: 365,
                forceDestroyTrailBucket: false,
                rules: [
                    "console-signin",
                    "signin-without-mfa",
                    "root-activity",
                    "signin-failures",
                    "sso-signin-without-mfa",
                    "trail-tampering",
                    "function-tampering",
                    "delivery-tampering",
                ],
                mentions: {},
                accountLabels: {},
                tags: {},
                notifyOnOk: false,
                lagAllowanceMinutes: 60,
                sweepIntervalMinutes: 5,
                organizationTrail: false,
                encryptTrailLogs: false,
                encryptTopics: false,
                allowList: [],
                fastPath: true,
                fastPathRegions: [],
                language: "en",
                firstSeenDays: 90,
                newNetworkSeverity: { "console-signin": "high" },
                summary: "off",
                heartbeatMinutes: 1440,
            },
        );
        assert.strictEqual(s.rules[0]!.pattern, ORIGINAL_SIGNIN_PATTERN);
    });

    it("stops on a missing webhook with the command that sets it as a secret", function () {
        assert.throws(() => readStackSettings(source({})), {
            name: "ConfigError",
            message: `Missing required configuration key console-login-alerts:slackWebhookUrl: the Slack incoming webhook URL. Set it as a secret with: ${SET}`,
        });
    });

    it("stops on a webhook stored without --secret", function () {
        assert.strictEqual(
            errorOf({}, []),
            `Configuration key console-login-alerts:slackWebhookUrl is stored in plain text; a webhook URL lets anyone post to your channel. Store it as a secret with: ${SET}`,
        );
    });

    it("stops on a webhook that is not Slack's, naming the problem without echoing any part of it", function () {
        const problems: Array<[string, string]> = [
            ["http://hooks.slack.com/services/T0S3CR/B0S3CR/s3cr3t", "must be an https:// URL (a Slack incoming webhook)"],
            ["hooks.slack.com/services/T0S3CR/B0S3CR/s3cr3t", "must be a URL (a Slack incoming webhook)"],
            ["not a url s3cr3t", "must be a URL (a Slack incoming webhook)"],
            ["https://user:s3cr3t@hooks.slack.com/services/T0S3CR/B0S3CR/x", "must not carry a user name or password"],
            ["https://hooks.slack.com:8443/services/T0S3CR/B0S3CR/s3cr3t", "must not name a port"],
            [
                "https://hooks.s3cr3t.example/services/T0S3CR/B0S3CR/x",
                "must be a Slack webhook on hooks.slack.com or hooks.slack-gov.com; this one points to another host",
            ],
            [
                "https://203.0.113.9/services/T0S3CR/B0S3CR/s3cr3t",
                "must be a Slack webhook on hooks.slack.com or hooks.slack-gov.com; this one points to another host",
            ],
            [
                "https://[2001:db8::1]/services/T0S3CR/B0S3CR/s3cr3t",
                "must be a Slack webhook on hooks.slack.com or hooks.slack-gov.com; this one points to another host",
            ],
            [
                "https://hooks.slack.com.s3cr3t.example/services/T0S3CR/B0S3CR/x",
                "must be a Slack webhook on hooks.slack.com or hooks.slack-gov.com; this one points to another host",
            ],
            ["https://hooks.slack.com/", "must include the webhook's path (/services/...)"],
        ];
        for (const [bad, problem] of problems) {
            const message = errorOf({ slackWebhookUrl: bad });
            assert.strictEqual(message, `Configuration key console-login-alerts:slackWebhookUrl ${problem}. Set it again with: ${SET}`);
            assert.ok(!message.includes("s3cr3t") && !message.includes("S3CR"), `echoed part of the value: ${message}`);
        }
    });

    it("takes webhooks on Slack's commercial and GovSlack hosts", function () {
        for (const url of [TEST_WEBHOOK, "https://hooks.slack-gov.com/services/T0000/B0000/XXXXXXXX"]) {
            assert.strictEqual(readStackSettings(source({ slackWebhookUrl: url })).slackWebhookUrl, url);
        }
    });

    it("names the key and the fix for every other bad value", function () {
        const cases: Array<[Record<string, string>, string]> = [
            [
                { timeZone: "Mars/Olympus" },
                'Configuration key console-login-alerts:timeZone must be an IANA time zone such as UTC or Asia/Tokyo, not "Mars/Olympus".',
            ],
            [
                { trailLogRetentionDays: "100" },
                'Configuration key console-login-alerts:trailLogRetentionDays must be one of the retention periods CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), not "100". Fix it with: pulumi config set trailLogRetentionDays 365',
            ],
            [
                { trailBucketExpirationDays: "ten" },
                'Configuration key console-login-alerts:trailBucketExpirationDays must be a whole number written in digits, not "ten". Fix it with: pulumi config set trailBucketExpirationDays 365',
            ],
            [
                { trailBucketExpirationDays: "0x10" },
                'Configuration key console-login-alerts:trailBucketExpirationDays must be a whole number written in digits, not "0x10". Fix it with: pulumi config set trailBucketExpirationDays 365',
            ],
            [
                { trailBucketExpirationDays: "2147483648" },
                'Configuration key console-login-alerts:trailBucketExpirationDays must be from 1 to 2147483647, not "2147483648". Fix it with: pulumi config set trailBucketExpirationDays 365',
            ],
            [
                { sweepIntervalMinutes: "1e1" },
                'Configuration key console-login-alerts:sweepIntervalMinutes must be a whole number written in digits, not "1e1". Fix it with: pulumi config set sweepIntervalMinutes 5',
            ],
            [
                { sweepIntervalMinutes: "61" },
                'Configuration key console-login-alerts:sweepIntervalMinutes must be between 1 and 60, not "61". Fix it with: pulumi config set sweepIntervalMinutes 5',
            ],
            [
                { failureThreshold: "12.0" },
                'Configuration key console-login-alerts:failureThreshold must be a whole number written in digits, not "12.0". Fix it with: pulumi config set failureThreshold 1',
            ],
            [
                { lagAllowanceMinutes: " 60" },
                'Configuration key console-login-alerts:lagAllowanceMinutes must be a whole number written in digits, not " 60". Fix it with: pulumi config set lagAllowanceMinutes 60',
            ],
            [
                { forceDestroyTrailBucket: "yes" },
                'Configuration key console-login-alerts:forceDestroyTrailBucket must be true or false, not "yes". Fix it with: pulumi config set forceDestroyTrailBucket false',
            ],
            [
                { signInFilterPattern: '$.eventName = "ConsoleLogin"' },
                `Configuration key console-login-alerts:signInFilterPattern must be a CloudWatch Logs JSON filter pattern such as '{ ($.eventName = "ConsoleLogin") }': Invalid filter pattern: only JSON filter patterns enclosed in { } are supported at column 1.`,
            ],
            ...(
                [
                    [
                        '{ ($.eventName = "ConsoleLogin") && }',
                        "Invalid filter pattern: expected a selector such as $.eventName but found end of pattern at column 37",
                    ],
                    ["{ }", "Invalid filter pattern: expected a selector such as $.eventName but found end of pattern at column 3"],
                    ['{ $.eventName = "ConsoleLogin }', "Invalid filter pattern: unterminated string at column 17"],
                    [' { $.eventName = "ConsoleLogin" }', "Invalid filter pattern: whitespace before '{' is not allowed at column 1"],
                    [`{ $.eventName = "${"x".repeat(1005)}" }`, "it has 1025 characters; CloudWatch Logs takes 1024 at most"],
                ] as const
            ).map(([pattern, problem]): [Record<string, string>, string] => [
                { customRules: JSON.stringify([{ id: "break-glass", pattern, severity: "critical" }]) },
                `Configuration key console-login-alerts:customRules[0].pattern must be a CloudWatch Logs JSON filter pattern such as '{ ($.eventName = "ConsoleLogin") }': ${problem}.`,
            ]),
            [
                { disabledRules: '["nope"]' },
                "Configuration key console-login-alerts:disabledRules must be a list of built-in rule ids (console-signin, signin-without-mfa, root-activity, signin-failures, sso-signin-without-mfa, trail-tampering, function-tampering, delivery-tampering).",
            ],
            [
                { mentions: '{"critical":"@here"}' },
                "Configuration key console-login-alerts:mentions.critical must be a Slack mention such as <!here>, <!channel>, <@U0123ABCD> or <!subteam^S0123ABCD>.",
            ],
            [
                { accountLabels: '{"1234":"prod"}' },
                'Configuration key console-login-alerts:accountLabels must map 12-digit account ids to names, e.g. {"111122223333":"production"}.',
            ],
            [
                { lagAllowanceMinutes: "5" },
                'Configuration key console-login-alerts:lagAllowanceMinutes must be between 15 and 1440, not "5". Fix it with: pulumi config set lagAllowanceMinutes 60',
            ],
            ...["10", "30", "90", "604860"].map((seconds): [Record<string, string>, string] => [
                { failurePeriodSeconds: seconds },
                `Configuration key console-login-alerts:failurePeriodSeconds must be a multiple of 60 from 60 to 604800 (metric filters publish one-minute data; CloudWatch allows 7 days at most), not "${seconds}". Fix it with: pulumi config set failurePeriodSeconds 60`,
            ]),
            ...["dead-letters", "function-errors"].map((id): [Record<string, string>, string] => [
                { customRules: JSON.stringify([{ id, pattern: "{ $.a = 1 }", severity: "high" }]) },
                `Configuration key console-login-alerts:customRules[0] uses the rule id ${id}, whose resources would take the name of the stack's own ${id}-alarm; choose another id.`,
            ]),
            [
                {
                    customRules: JSON.stringify(
                        Array.from({ length: 21 }, (_, i) => ({ id: `rule-${i}`, pattern: "{ $.a = 1 }", severity: "info" })),
                    ),
                },
                "Configuration key console-login-alerts:customRules has 21 rules; a stack takes at most 20 (each is a metric filter, and CloudWatch Logs allows 100 on a log group).",
            ],
            ...["x".repeat(101), "Break-glass\n*Root user activity*", "   "].map((title): [Record<string, string>, string] => [
                { customRules: JSON.stringify([{ id: "break-glass", title, pattern: "{ $.a = 1 }", severity: "high" }]) },
                'Configuration key console-login-alerts:customRules[0].title must be one line of 1 to 100 characters, such as "Break-glass sign-in".',
            ]),
            [
                { customRules: '[{"id":"x","pattern":"{ $.a = 1 }","severity":"high"}]' },
                "Configuration key console-login-alerts:customRules[0] needs an id of 3 to 40 lower-case letters, digits and dashes, starting with a letter.",
            ],
            [
                { customRules: '[{"id":"root-activity","pattern":"{ $.a = 1 }","severity":"high"}]' },
                "Configuration key console-login-alerts:customRules[0] reuses the rule id root-activity; every rule needs its own id.",
            ],
            [
                { customRules: '[{"id":"break-glass","pattern":"{ $.a = 1 }","severity":"urgent"}]' },
                "Configuration key console-login-alerts:customRules[0].severity must be one of info, high, critical.",
            ],
            [
                { allowList: '[{"cidrs":["203.0.113.7/24"],"action":"suppress"}]' },
                'Configuration key console-login-alerts:allowList[0].cidrs has "203.0.113.7/24", which is not a network in CIDR notation such as 203.0.113.0/24 or 2001:db8::/32 (host bits must be zero). Fix it with: pulumi config set --path \'allowList\' \'[{"userNames":["break-glass"],"cidrs":["203.0.113.0/24"],"action":"downgrade"}]\'',
            ],
            [
                { allowList: '[{"rolePatterns":["Admin/*"],"action":"downgrade"}]' },
                'Configuration key console-login-alerts:allowList[0].rolePatterns has "Admin/*", which is not a role name pattern (letters, digits, + = , . @ - _ and * only). Fix it with: pulumi config set --path \'allowList\' \'[{"userNames":["break-glass"],"cidrs":["203.0.113.0/24"],"action":"downgrade"}]\'',
            ],
            [
                { allowList: '[{"userNames":["ops-admin"],"action":"ignore"}]' },
                'Configuration key console-login-alerts:allowList[0].action must be downgrade or suppress. Fix it with: pulumi config set --path \'allowList\' \'[{"userNames":["break-glass"],"cidrs":["203.0.113.0/24"],"action":"downgrade"}]\'',
            ],
            [
                { allowList: '[{"action":"suppress"}]' },
                'Configuration key console-login-alerts:allowList[0] needs at least one of userNames, rolePatterns or cidrs. Fix it with: pulumi config set --path \'allowList\' \'[{"userNames":["break-glass"],"cidrs":["203.0.113.0/24"],"action":"downgrade"}]\'',
            ],
            [
                { allowList: '[{"userNames":["ops-admin"],"rules":["nope"],"action":"suppress"}]' },
                "Configuration key console-login-alerts:allowList[0].rules names nope, which is not a rule of this stack (console-signin, signin-without-mfa, root-activity, signin-failures, sso-signin-without-mfa, trail-tampering, function-tampering, delivery-tampering).",
            ],
            [
                { operatorEmail: "ops" },
                "Configuration key console-login-alerts:operatorEmail must be an email address, such as ops@example.com.",
            ],
            [
                { existingTrailLogGroupName: "my trail logs" },
                "Configuration key console-login-alerts:existingTrailLogGroupName must be a CloudWatch Logs log group name (letters, digits and . - _ / #), such as aws-cloudtrail-logs-111122223333-0a1b2c3d.",
            ],
            [
                { existingTrailLogGroupName: "trail-logs", organizationTrail: "true" },
                "Configuration key console-login-alerts:organizationTrail applies to a trail this stack creates, but console-login-alerts:existingTrailLogGroupName uses an existing trail. Remove one of them with: pulumi config rm organizationTrail",
            ],
            [
                {
                    disabledRules:
                        '["console-signin","signin-without-mfa","root-activity","signin-failures","sso-signin-without-mfa","trail-tampering","function-tampering","delivery-tampering"]',
                },
                "Every rule is switched off; remove some ids from console-login-alerts:disabledRules or add console-login-alerts:customRules.",
            ],
        ];
        for (const [values, message] of cases) {
            assert.strictEqual(errorOf(values), message);
        }
    });

    it("names the language, first-seen, summary and heartbeat keys and the fix for every bad value", function () {
        const cases: Array<[Record<string, string>, string]> = [
            [
                { language: "fr" },
                'Configuration key console-login-alerts:language must be one of en, ja, not "fr". Fix it with: pulumi config set language en',
            ],
            [
                { summary: "hourly" },
                'Configuration key console-login-alerts:summary must be one of off, daily, weekly, not "hourly". Fix it with: pulumi config set summary off',
            ],
            [
                { firstSeenDays: "401" },
                'Configuration key console-login-alerts:firstSeenDays must be between 0 (off) and 400, not "401". Fix it with: pulumi config set firstSeenDays 90',
            ],
            [
                { firstSeenDays: "-1" },
                'Configuration key console-login-alerts:firstSeenDays must be between 0 (off) and 400, not "-1". Fix it with: pulumi config set firstSeenDays 90',
            ],
            [
                { newNetworkSeverity: '["console-signin"]' },
                `Configuration key console-login-alerts:newNetworkSeverity must map rule ids to severities, such as {"console-signin":"high"}. Fix it with: pulumi config set --path 'newNetworkSeverity' '{"console-signin":"high"}'`,
            ],
            [
                { newNetworkSeverity: '{"console-signin":"urgent"}' },
                `Configuration key console-login-alerts:newNetworkSeverity.console-signin must be one of info, high, critical. Fix it with: pulumi config set --path 'newNetworkSeverity' '{"console-signin":"high"}'`,
            ],
            [
                { newNetworkSeverity: '{"break-glass":"critical"}' },
                `Configuration key console-login-alerts:newNetworkSeverity.break-glass names no rule of this stack (console-signin, signin-without-mfa, root-activity, signin-failures, sso-signin-without-mfa, trail-tampering, function-tampering, delivery-tampering). Fix it with: pulumi config set --path 'newNetworkSeverity' '{}'`,
            ],
            [
                { disabledRules: '["console-signin"]', newNetworkSeverity: '{"console-signin":"critical","signin-failures":"high"}' },
                `Configuration key console-login-alerts:newNetworkSeverity.console-signin names no rule of this stack (signin-without-mfa, root-activity, signin-failures, sso-signin-without-mfa, trail-tampering, function-tampering, delivery-tampering). Fix it with: pulumi config set --path 'newNetworkSeverity' '{"signin-failures":"high"}'`,
            ],
            ...["20", "61", "1445", "1470", "10140"].map((n): [Record<string, string>, string] => [
                { heartbeatMinutes: n },
                `Configuration key console-login-alerts:heartbeatMinutes must be 0 (off), a multiple of 5 from 30 to 1440, or a multiple of 60 up to 10080 (7 days), not "${n}". Fix it with: pulumi config set heartbeatMinutes 1440`,
            ]),
            [
                { existingTrailLogGroupName: `/${"x".repeat(150)}` },
                "Configuration key console-login-alerts:existingTrailLogGroupName is 151 characters long; the trail-tampering rule's pattern names it and would take 1086 characters, more than the 1024 CloudWatch Logs accepts. Add trail-tampering to console-login-alerts:disabledRules to switch the rule off.",
            ],
        ];
        for (const [values, message] of cases) {
            assert.strictEqual(errorOf(values), message);
        }
    });

    it("takes the language, first-seen, summary and heartbeat settings given, and follows switched-off rules", function () {
        const s = readStackSettings(
            source({
                slackWebhookUrl: TEST_WEBHOOK,
                language: "ja",
                firstSeenDays: "0",
                newNetworkSeverity: '{"signin-failures":"critical","root-activity":"info"}',
                summary: "weekly",
                heartbeatMinutes: "0",
            }),
        );
        assert.deepStrictEqual(
            [s.language, s.firstSeenDays, s.newNetworkSeverity, s.summary, s.heartbeatMinutes],
            ["ja", 0, { "signin-failures": "critical", "root-activity": "info" }, "weekly", 0],
        );
        for (const n of [30, 35, 1440, 1500, 10080]) {
            assert.strictEqual(
                readStackSettings(source({ slackWebhookUrl: TEST_WEBHOOK, heartbeatMinutes: String(n) })).heartbeatMinutes,
                n,
            );
        }
        // The default names console-signin; a stack without that rule gets none rather than an error.
        const without = readStackSettings(source({ slackWebhookUrl: TEST_WEBHOOK, disabledRules: '["console-signin"]' }));
        assert.deepStrictEqual(without.newNetworkSeverity, {});
        // With an existing trail, the tampering rule also names that trail's log group.
        const existing = readStackSettings(
            source({ slackWebhookUrl: TEST_WEBHOOK, existingTrailLogGroupName: "aws-controltower/CloudTrailLogs" }),
        );
        const tampering = existing.rules.find((r) => r.id === "trail-tampering")!;
        assert.match(tampering.pattern, /\$\.requestParameters\.logGroupName = "aws-controltower\/CloudTrailLogs"/);
    });

    it("drops switched-off rules from the newNetworkSeverity default that pulumi preview hands the program", function () {
        for (const disabled of [["console-signin"], ["console-signin", "signin-failures"]]) {
            const s = readStackSettings(cliConfigSource({ disabledRules: disabled }));
            assert.deepStrictEqual([s.rules.map((r) => r.id).includes("console-signin"), s.newNetworkSeverity], [false, {}]);
        }
        assert.deepStrictEqual(readStackSettings(cliConfigSource({})).newNetworkSeverity, { "console-signin": "high" });
        assert.deepStrictEqual(
            readStackSettings(cliConfigSource({ disabledRules: ["signin-failures"], newNetworkSeverity: { "root-activity": "critical" } }))
                .newNetworkSeverity,
            { "root-activity": "critical" },
        );
    });

    it("suggests, for a bad newNetworkSeverity, only a value that validates", function () {
        const bad: Array<Record<string, unknown>> = [
            { disabledRules: ["console-signin"], newNetworkSeverity: { "console-signin": "critical" } },
            { disabledRules: ["console-signin"], newNetworkSeverity: { "console-signin": "critical", "signin-failures": "high" } },
            { disabledRules: ["console-signin"], newNetworkSeverity: { "signin-failures": "urgent", "console-signin": "high" } },
            { disabledRules: ["console-signin"], newNetworkSeverity: ["signin-failures"] },
            { newNetworkSeverity: { "console-signin": "urgent", "break-glass": "high" } },
            { newNetworkSeverity: { "break-glass": "critical" } },
            { newNetworkSeverity: ["console-signin"] },
        ];
        const suggested: string[] = [];
        for (const values of bad) {
            const message = errorOf(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, JSON.stringify(v)])));
            const fix = /Fix it with: pulumi config set --path 'newNetworkSeverity' '(.*)'$/.exec(message)?.[1];
            assert.ok(fix !== undefined, message);
            suggested.push(fix);
            const applied = { ...values, newNetworkSeverity: JSON.parse(fix) as unknown };
            assert.deepStrictEqual(readStackSettings(cliConfigSource(applied)).newNetworkSeverity, JSON.parse(fix), message);
        }
        assert.deepStrictEqual(suggested, [
            "{}",
            '{"signin-failures":"high"}',
            '{"signin-failures":"high"}',
            '{"signin-without-mfa":"high"}',
            '{"console-signin":"high"}',
            "{}",
            '{"console-signin":"high"}',
        ]);
    });

    it("names the fast-path key and the fix for a switch that is not a boolean, a region that is no region, or one listed twice", function () {
        const fix = `Fix it with: pulumi config set --path 'fastPathRegions' '["us-east-1","eu-west-1"]'`;
        const cases: Array<[Record<string, string>, string]> = [
            [
                { fastPath: "yes" },
                'Configuration key console-login-alerts:fastPath must be true or false, not "yes". Fix it with: pulumi config set fastPath true',
            ],
            [
                { fastPathRegions: '"eu-west-1"' },
                `Configuration key console-login-alerts:fastPathRegions must be a list of region names, such as ["us-east-1","eu-west-1"]. ${fix}`,
            ],
            [
                { fastPathRegions: '["eu-west-1", 1]' },
                `Configuration key console-login-alerts:fastPathRegions must be a list of region names, such as ["us-east-1","eu-west-1"]. ${fix}`,
            ],
            [
                { fastPathRegions: '["eu-west-1","Ireland"]' },
                `Configuration key console-login-alerts:fastPathRegions[1] must be a region name such as eu-west-1, not "Ireland". ${fix}`,
            ],
            [
                { fastPathRegions: '["eu-west-1","us-east-1 "]' },
                `Configuration key console-login-alerts:fastPathRegions[1] must be a region name such as eu-west-1, not "us-east-1 ". ${fix}`,
            ],
            [
                { fastPathRegions: '["eu-west-1","us-east-1","eu-west-1"]' },
                `Configuration key console-login-alerts:fastPathRegions[2] repeats eu-west-1; list each region once. ${fix}`,
            ],
        ];
        for (const [values, message] of cases) {
            assert.strictEqual(errorOf(values), message);
        }
        // Root users' sign-ins are recorded in us-east-1 only: a commercial list without it is refused, naming the list with it.
        assert.strictEqual(
            errorOf({ fastPathRegions: '["eu-west-1","ap-northeast-1"]' }),
            "Configuration key console-login-alerts:fastPathRegions leaves out us-east-1, where CloudTrail records root users' console sign-ins " +
                "and IAM users' through the global endpoint; they would reach Slack only by the backstop, minutes later. " +
                `Fix it with: pulumi config set --path 'fastPathRegions' '["us-east-1","eu-west-1","ap-northeast-1"]'`,
        );
        assert.deepStrictEqual(
            readStackSettings(source({ slackWebhookUrl: TEST_WEBHOOK, fastPathRegions: '["us-gov-west-1"]' })).fastPathRegions,
            ["us-gov-west-1"],
        );
        const s = readStackSettings(
            source({ slackWebhookUrl: TEST_WEBHOOK, fastPath: "false", fastPathRegions: '["us-gov-west-1","ap-southeast-2"]' }),
        );
        assert.deepStrictEqual([s.fastPath, s.fastPathRegions], [false, ["us-gov-west-1", "ap-southeast-2"]]);
    });

    it("accepts the largest values CloudWatch and S3 take, and treats an empty optional string as not set", function () {
        const s = readStackSettings(
            source({
                slackWebhookUrl: TEST_WEBHOOK,
                failurePeriodSeconds: "604800",
                trailBucketExpirationDays: "2147483647",
                existingTrailLogGroupName: "",
                operatorEmail: "",
                customRules: JSON.stringify([{ id: "break-glass", title: "B".repeat(100), pattern: "{ $.a = 1 }", severity: "high" }]),
            }),
        );
        assert.strictEqual(s.rules.find((r) => r.id === "signin-failures")!.periodSeconds, 604800);
        assert.strictEqual(s.trailBucketExpirationDays, 2147483647);
        assert.strictEqual(s.rules.find((r) => r.id === "break-glass")!.title, "B".repeat(100));
        // Syntax the CloudWatch Logs documentation gives, which a brace check alone would not prove.
        for (const pattern of [
            "{ $.eventType = %Aws.*SignIn% }",
            '{ $.resources[*].type = "AWS::IAM::Role" }',
            '{ $.* = "ConsoleLogin" }',
            "{ $.['userIdentity'].type = \"Root\" }",
            `{ $.eventName = "${"x".repeat(1004)}" }`,
        ]) {
            const custom = JSON.stringify([{ id: "break-glass", pattern, severity: "high" }]);
            const rule = readStackSettings(source({ slackWebhookUrl: TEST_WEBHOOK, customRules: custom })).rules.at(-1)!;
            assert.strictEqual(rule.pattern, pattern);
        }
        assert.ok(!("existingTrailLogGroupName" in s) && !("operatorEmail" in s));
    });

    it("switches rules off, adds custom ones, and uses the CIS patterns on request", function () {
        const s = readStackSettings(
            source({
                slackWebhookUrl: TEST_WEBHOOK,
                disabledRules: '["console-signin"]',
                useCisPatterns: "true",
                failureThreshold: "3",
                failurePeriodSeconds: "300",
                customRules:
                    '[{"id":"break-glass","title":"Break-glass user","pattern":"{ $.userIdentity.userName = \\"break-glass\\" }","severity":"critical"}]',
            }),
        );
        assert.deepStrictEqual(
            s.rules.map((r) => [r.id, r.pattern, r.severity, r.threshold, r.periodSeconds]),
            [
                ["signin-without-mfa", CIS_PATTERNS["signin-without-mfa"], "high", 1, 60],
                ["root-activity", CIS_PATTERNS["root-activity"], "critical", 1, 60],
                ["signin-failures", CIS_PATTERNS["signin-failures"], "high", 3, 300],
                ["sso-signin-without-mfa", BUILT_IN_RULES["sso-signin-without-mfa"].pattern, "high", 1, 60],
                ["trail-tampering", BUILT_IN_RULES["trail-tampering"].pattern, "critical", 1, 60],
                ["function-tampering", BUILT_IN_RULES["function-tampering"].pattern, "critical", 1, 60],
                ["delivery-tampering", BUILT_IN_RULES["delivery-tampering"].pattern, "critical", 1, 60],
                ["break-glass", '{ $.userIdentity.userName = "break-glass" }', "critical", 1, 60],
            ],
        );
        assert.notStrictEqual(BUILT_IN_RULES["root-activity"].pattern, CIS_PATTERNS["root-activity"]);
    });

    it("stops the program itself (as pulumi preview would) before any resource is registered", async function () {
        await assert.rejects(runProgramOffline({ config: { [WEBHOOK_KEY]: TEST_WEBHOOK }, secretKeys: [] }), (err: Error) =>
            err.message.startsWith("Configuration key console-login-alerts:slackWebhookUrl is stored in plain text"),
        );
        const ok = await runWith();
        assert.ok(ok.resources.length > 30);
    });

    describe("npm start (the offline plan)", function () {
        const stack = "configtest";

        function plan(config: Record<string, unknown>, ...flags: string[]) {
            return planStackFile(stack, JSON.stringify({ config }), ...flags);
        }

        it("exits non-zero with the CLI's own message when the webhook is in plain text", async function () {
            const result = await plan({ "console-login-alerts:slackWebhookUrl": "https://hooks.slack.com/services/T1/B1/plain" });
            assert.strictEqual(result.status, 1);
            assert.strictEqual(
                result.stderr.trim(),
                `error: validating stack config: Stack '${stack}' with configuration key 'slackWebhookUrl' must be encrypted as it's secret`,
            );
        });

        it("uses a placeholder secret for an encrypted webhook, says so, and prints every resource as JSON", async function () {
            const result = await plan(
                { "console-login-alerts:slackWebhookUrl": { secure: "v1:AAAA:BBBB" }, "console-login-alerts:timeZone": "Asia/Tokyo" },
                "--json",
            );
            assert.strictEqual(result.status, 0, result.stderr);
            const out = JSON.parse(result.stdout) as {
                resources: Array<{ urn: string; type: string; name: string; parent: string | null; inputs: Record<string, unknown> }>;
                notes: string[];
            };
            assert.deepStrictEqual(out.notes, [
                `console-login-alerts:slackWebhookUrl is encrypted in Pulumi.${stack}.yaml; the plan uses a placeholder secret in its place.`,
            ]);
            const param = out.resources.find((r) => r.name === "login-alerts-webhook")!;
            assert.strictEqual(param.inputs["value"], "[secret]");
            assert.strictEqual(
                param.urn,
                `urn:pulumi:${stack}::console-login-alerts::console-login-alerts:index:LoginAlerts$console-login-alerts:index:Notifier$aws:ssm/parameter:Parameter::login-alerts-webhook`,
            );
            const fn = out.resources.find((r) => r.type === "aws:lambda/function:Function")!;
            const code = fn.inputs["code"] as { kind: string; assets: Record<string, { text?: string }> };
            assert.match(code.assets["__index.js"]!.text!, /^module\.exports = __toCommonJS\(lambda_exports\);$/m);
            assert.strictEqual((JSON.parse(code.assets["config.json"]!.text!) as { timeZone: string }).timeZone, "Asia/Tokyo");
            assert.ok(!result.stdout.includes("OFFLINEPLACEHOLDER"), "the placeholder secret is printed");
        });
    });
});

describe("the one place every default lives", function () {
    it("gives Pulumi.yaml the same default for every key, and no key without one but the webhook", function () {
        const project = yaml.load(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8")) as {
            config: Record<string, { default?: unknown }>;
        };
        const declared = Object.fromEntries(
            Object.entries(project.config)
                .filter(([, spec]) => spec.default !== undefined)
                .map(([name, spec]) => [name, spec.default]),
        );
        assert.deepStrictEqual(declared, { ...DEFAULTS });
        assert.deepStrictEqual(
            Object.keys(project.config).filter((name) => !(name in DEFAULTS)),
            ["slackWebhookUrl"],
        );
    });
});

describe("the stack file a plan reads", function () {
    let root: string;
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-"));
        fs.copyFileSync(path.join(__dirname, "..", "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
        fs.mkdirSync(path.join(root, EXAMPLES_DIR));
        fs.writeFileSync(
            path.join(root, EXAMPLES_DIR, "Pulumi.prod.yaml"),
            yaml.dump({ config: { "console-login-alerts:timeZone": "Asia/Tokyo" } }),
        );
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("plans the example when the stack has no file of its own, and says that pulumi stack init does not read it", function () {
        const loaded = loadStackConfig("prod", root);
        assert.strictEqual(loaded.config["console-login-alerts:timeZone"], "Asia/Tokyo");
        assert.strictEqual(
            loaded.notes[0],
            "Planned the example examples/Pulumi.prod.yaml: `pulumi stack init prod` does not read it. Copy it to Pulumi.prod.yaml, or set your own keys with `pulumi config set`, to deploy.",
        );
    });

    it("plans the stack's own file, which is what pulumi preview reads, once there is one", function () {
        fs.writeFileSync(path.join(root, "Pulumi.prod.yaml"), yaml.dump({ config: { "console-login-alerts:timeZone": "Europe/Paris" } }));
        const loaded = loadStackConfig("prod", root);
        assert.strictEqual(loaded.config["console-login-alerts:timeZone"], "Europe/Paris");
        assert.ok(!loaded.notes.some((n) => n.includes("example")), loaded.notes.join("\n"));
    });

    it("names the command that creates a stack that has neither", function () {
        assert.throws(() => loadStackConfig("staging", root), {
            message: "No stack file Pulumi.staging.yaml (nor examples/Pulumi.staging.yaml); create it with: pulumi stack init staging",
        });
    });
});
