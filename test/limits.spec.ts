import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    FIXED_CHILDREN,
    REGION_CHILDREN,
    REGION_NAME,
    RULE_CHILDREN,
    TRAIL_NAME_MAX,
    fixedChildClash,
    isRegionChild,
    organizationInstanceName,
    regionChildName,
    trailName,
} from "../program/names";
import { BUILT_IN_RULE_IDS } from "../program/rules";
import { bundledPackages, handlerBundle } from "../program/functionPackage";
import { archiveFiles, writeZip } from "../tools/benchArchive";
import { MOCK_ENABLED_REGIONS } from "../tools/mockProvider";
import type { OfflineRun, PlanAsset } from "../tools/offlineEngine";
import { archiveText, functionResource, indexJsOf, unpackFunction } from "../tools/local/deployedFunction";
import { CONFIRM_ON, byName, ofType, runWith } from "./support/program";

// Lambda Developer Guide, "Working with Lambda environment variables": "The total size of all
// environment variables doesn't exceed 4 KB." Measured here as the JSON of the whole map in UTF-8,
// which counts every key and value and then some.
const LAMBDA_ENVIRONMENT_BYTES = 4096;
// Lambda quotas: 250 MB unzipped for the deployment package, code and layers together.
const LAMBDA_UNZIPPED_BYTES = 250 * 1024 * 1024;
// Ours, not Lambda's (whose upload limit is 50 MiB): the zipped archive of the default stack. Every
// cold start fetches and unpacks it, so it holds only what runs on Node 22: the bundled handler
// (both languages' catalogs, node-fetch and ipaddr.js in it), its configuration and the notices. It
// was 200 KB while whatwg-url, tr46 and webidl-conversions shipped, and node-fetch's and ipaddr.js's
// other builds and READMEs with them.
const FUNCTION_ZIP_BYTES = 100 * 1000;

/** The biggest stack configuration this project promises to deploy. */
function largestStackConfig(): Record<string, string> {
    const labels = Object.fromEntries(
        Array.from({ length: 200 }, (_, i) => [String(100000000000 + i), `business-unit-${i}-production-workloads`]),
    );
    const allowList = Array.from({ length: 100 }, (_, i) => ({
        userNames: [`break-glass-operator-${i}`],
        rolePatterns: [`AWSReservedSSO_Administrator_${i}*`],
        cidrs: [`198.51.${i}.0/24`, `2001:db8:${i.toString(16)}::/48`],
        action: "downgrade",
    }));
    const customRules = Array.from({ length: 20 }, (_, i) => ({
        id: `custom-rule-${String(i).padStart(2, "0")}-${"x".repeat(23)}`,
        title: `Custom rule ${i} `.padEnd(100, "t"),
        pattern: `{ ($.eventName = "ConsoleLogin") && ($.userIdentity.userName = "operator-${i}-${"u".repeat(60)}") }`,
        severity: "critical",
    }));
    return {
        accountLabels: JSON.stringify(labels),
        allowList: JSON.stringify(allowList),
        customRules: JSON.stringify(customRules),
        mentions: JSON.stringify({ critical: "<!subteam^S0123456789ABCDEF>", high: "<!here>" }),
        timeZone: "America/Argentina/ComodRivadavia",
    };
}

function directoryBytes(dir: string): number {
    return fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
        const full = path.join(dir, entry.name);
        return sum + (entry.isDirectory() ? directoryBytes(full) : fs.statSync(full).size);
    }, 0);
}

describe("AWS limits a real deployment would hit", function () {
    let largest: OfflineRun;

    before(async function () {
        largest = await runWith(largestStackConfig());
    });

    it("keeps the function's environment far under Lambda's 4 KB for the largest stack: 200 labels, 100 allow entries, 20 custom rules", function () {
        const fn = byName(largest, "login-alerts-function");
        const variables = (fn.inputs["environment"] as { variables: Record<string, string> }).variables;
        const bytes = Buffer.byteLength(JSON.stringify(variables), "utf8");
        console.log(`      environment of the largest stack: ${bytes} bytes of ${LAMBDA_ENVIRONMENT_BYTES}`);
        assert.ok(bytes <= LAMBDA_ENVIRONMENT_BYTES, `the environment takes ${bytes} bytes`);
        assert.strictEqual(Object.keys(JSON.parse(variables["ALARM_NAMES"]!) as object).length, 28);
        assert.strictEqual(variables["HEARTBEAT_ALARM_NAME"], "login-alerts-dev-delivery-heartbeat");
        // The configuration itself travels beside the code, whose limit is megabytes.
        const code = indexJsOf(fn);
        const config = archiveText(fn, "config.json");
        assert.ok(config.includes("business-unit-199-production-workloads") && config.includes("break-glass-operator-99"));
        const unpacked = unpackFunction(largest);
        try {
            const archiveBytes = directoryBytes(unpacked.dir);
            console.log(`      its code: __index.js ${Buffer.byteLength(code)} bytes; archive unzipped ${archiveBytes} bytes`);
            assert.ok(archiveBytes < LAMBDA_UNZIPPED_BYTES);
        } finally {
            fs.rmSync(unpacked.dir, { recursive: true, force: true });
            fs.rmSync(unpacked.runtimeModules, { recursive: true, force: true });
        }
    });

    it("zips the default stack's function under 100 KB: the bundle, with node-fetch and ipaddr.js alone in it, its configuration and their notices", async function () {
        const files = archiveFiles(functionResource(await runWith({})).inputs["code"] as PlanAsset);
        assert.deepStrictEqual(
            files.map((f) => f.name),
            ["__index.js", "config.json", "THIRD-PARTY-NOTICES.txt"],
        );
        const bundle = handlerBundle();
        assert.deepStrictEqual(bundledPackages(bundle.metafile), ["ipaddr.js", "node-fetch"]);
        // whatwg-url, tr46 and webidl-conversions are not in it: node-fetch's require of whatwg-url gets Node's URL.
        assert.ok(!Object.keys(bundle.metafile.inputs).some((f) => /node_modules\/(whatwg-url|tr46|webidl-conversions)\//.test(f)));
        assert.ok(Object.keys(bundle.metafile.inputs).includes("handler/common/nodeUrl.ts"));
        const notices = files.find((f) => f.name === "THIRD-PARTY-NOTICES.txt")!.data.toString("utf8");
        assert.match(notices, /^ipaddr\.js\n\nCopyright \(C\) 2011-2017 whitequark/);
        assert.match(notices, /\n---\n\nnode-fetch\n\nThe MIT License \(MIT\)\n\nCopyright \(c\) 2016 David Frank/);
        const zip = await writeZip(files);
        console.log(`      the default stack's function: ${zip.length} bytes zipped, ${files.length} files`);
        assert.ok(zip.length <= FUNCTION_ZIP_BYTES, `the archive zips to ${zip.length} bytes`);
    });

    it("creates one metric filter and alarm per rule of the largest stack, each alarm description within CloudWatch's 1,024", function () {
        assert.strictEqual(ofType(largest, "aws:cloudwatch/logMetricFilter:LogMetricFilter").length, 28);
        for (const alarm of ofType(largest, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
            assert.ok(String(alarm.inputs["alarmDescription"]).length <= 1024, alarm.name);
        }
    });

    it("keeps physical names within AWS limits for the longest stack name Pulumi accepts (100 characters)", async function () {
        // Pulumi: stack names are [A-Za-z_.][A-Za-z0-9_.-]*, at most 100 characters (sdk/go/common/tokens/names.go).
        const stack = `_${"a.".repeat(49)}-`;
        assert.strictEqual(stack.length, 100);
        const run = await runWith({}, stack);
        const trail = String(byName(run, "login-alerts-trail").inputs["name"]);
        assert.ok(trail.length >= 3 && trail.length <= TRAIL_NAME_MAX, trail);
        assert.match(trail, /^[A-Za-z0-9]([A-Za-z0-9]|[._-](?=[A-Za-z0-9]))*$/);
        // CloudWatch: metric names at most 255 characters; SSM: parameter names at most 1,011, 15 levels.
        for (const filter of ofType(run, "aws:cloudwatch/logMetricFilter:LogMetricFilter")) {
            const metric = (filter.inputs["metricTransformation"] as { name: string }).name;
            assert.ok(metric.length <= 255, metric);
        }
        const parameter = String(byName(run, "login-alerts-webhook").inputs["name"]);
        assert.ok(parameter.length <= 1011 && parameter.split("/").length - 1 <= 15, parameter);
        assert.match(parameter, /^[A-Za-z0-9_.\-/]+$/);
        // CloudWatch: alarm names at most 255 characters (PutMetricAlarm, AlarmName); dashboard names
        // at most 255, letters, digits, - and _ only (PutDashboard, DashboardName).
        const heartbeat = String(byName(run, "login-alerts-delivery-heartbeat-alarm").inputs["name"]);
        assert.ok(heartbeat.length <= 255, heartbeat);
        const dashboard = String(byName(run, "login-alerts-dashboard").inputs["dashboardName"]);
        assert.ok(dashboard.length <= 255, dashboard);
        assert.match(dashboard, /^[A-Za-z0-9_-]+$/);
        // The description links to the dashboard; CloudWatch takes 1,024 characters (AlarmDescription).
        for (const alarm of ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
            assert.ok(String(alarm.inputs["alarmDescription"]).length <= 1024, alarm.name);
        }
    });

    it("turns any stack name into a trail name CloudTrail accepts, and keeps names that already comply", function () {
        const cases: Array<[string, string]> = [
            ["login-alerts-dev", "login-alerts-dev"],
            ["login-alerts-prod.eu_1", "login-alerts-prod.eu_1"],
            ["login-alerts-_dev", "login-alerts-dev"],
            ["login-alerts-dev.", "login-alerts-dev"],
            ["login-alerts-a..b__c--d", "login-alerts-a.b_c-d"],
            [`login-alerts-${"x".repeat(114)}-y`, `login-alerts-${"x".repeat(114)}`],
        ];
        for (const [physical, trail] of cases) {
            assert.strictEqual(trailName(physical), trail);
        }
    });

    it("knows every child it can create, so a custom rule id can never take one's name", async function () {
        const everything = await runWith({
            ...CONFIRM_ON,
            encryptTopics: "true",
            encryptTrailLogs: "true",
            organizationTrail: "true",
            operatorEmail: "ops@example.com",
            summary: "daily",
            organization: JSON.stringify({ id: "o-a1b2c3d4e5", units: ["r-ab12"], regions: ["us-east-1"] }),
        });
        const rules: readonly string[] = BUILT_IN_RULE_IDS;
        const named = everything.resources
            .filter((r) => r.custom && !rules.some((id) => r.name === `login-alerts-${id}-filter` || r.name === `login-alerts-${id}-alarm`))
            .map((r) => r.name.replace(/^login-alerts-/, ""));
        const perRegion = named.filter(isRegionChild);
        // The StackSet's instances, one a region, end in a region name, which no rule child's name does.
        const instances = named.filter((n) => n.startsWith("organization-") && REGION_NAME.test(n.slice("organization-".length)));
        assert.deepStrictEqual(instances, [organizationInstanceName("login-alerts", "us-east-1").slice("login-alerts-".length)]);
        assert.deepStrictEqual(named.filter((n) => !isRegionChild(n) && !instances.includes(n)).sort(), [...FIXED_CHILDREN].sort());
        assert.deepStrictEqual(
            perRegion.sort(),
            // Two EventBridge rules a region for the built-in rules and this custom one (program/fastPathPatterns.ts).
            MOCK_ENABLED_REGIONS.flatMap((region) =>
                [0, 1].flatMap((index) =>
                    REGION_CHILDREN.map((c) => regionChildName("login-alerts", region, c, index).slice("login-alerts-".length)),
                ),
            ).sort(),
        );
    });

    it("refuses a custom rule id whose children would take a fixed child's name, and no id can take a region child's", function () {
        assert.strictEqual(fixedChildClash("dead-letters"), "dead-letters-alarm");
        assert.strictEqual(fixedChildClash("function-errors"), "function-errors-alarm");
        assert.strictEqual(fixedChildClash("delivery-heartbeat"), "delivery-heartbeat-alarm");
        // A region child ends in a region's digits, -rule or -target; a rule child in -filter or -alarm.
        for (const id of ["fast-path", "fast-path-eu-west-1", "fast-path-eu-west-1-rule", "fast-path-us-east-1-target", "fast-path-bus"]) {
            assert.strictEqual(fixedChildClash(id), undefined, id);
        }
        for (const region of [...MOCK_ENABLED_REGIONS, "us-gov-west-1", "il-central-1", "ap-southeast-7"]) {
            for (const child of REGION_CHILDREN) {
                for (const index of [0, 1, 9]) {
                    const suffix = regionChildName("login-alerts", region, child, index).slice("login-alerts-".length);
                    assert.ok(isRegionChild(suffix), suffix);
                    assert.ok(!RULE_CHILDREN.some((c) => suffix.endsWith(`-${c}`)), `${suffix} ends like a rule child`);
                }
            }
        }
    });
});
