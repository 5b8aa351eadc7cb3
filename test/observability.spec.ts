import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { heartbeatWindow } from "../program/operators";
import { BUILT_IN_RULE_IDS } from "../program/rules";
import { SUMMARY_SCHEDULES } from "../program/notifier";
import { readZip, writeZip, type ZipInput } from "../tools/benchArchive";
import { unpackFunction } from "../tools/local/deployedFunction";
import type { OfflineRun, RecordedResource } from "../tools/offlineEngine";
import { byName, defaultProgram, functionConfigFor, ofType, policyDoc, runWith } from "./support/program";

const ACCOUNT = "111122223333";
const DASHBOARD_URL =
    "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=login-alerts-dev-operators";

function environmentOf(run: OfflineRun): Record<string, string> {
    return (byName(run, "login-alerts-function").inputs["environment"] as { variables: Record<string, string> }).variables;
}

/** One metric line of a dashboard widget, as CloudWatch's dashboard body takes it. */
function line(namespace: string, name: string, dimensions: Record<string, unknown>, stat: string, label: string): unknown[] {
    return [namespace, name, ...Object.entries(dimensions).flat(), { stat, label, period: 300, visible: true, yAxis: "left" }];
}

function widget(x: number, y: number, title: string, metrics: unknown[][]): unknown {
    return {
        x,
        y,
        width: 12,
        height: 6,
        type: "metric",
        properties: { metrics, title, period: 300, region: "us-east-1", view: "timeSeries", stacked: false },
    };
}

function filesUnder(dir: string, prefix = ""): ZipInput[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const name = `${prefix}${entry.name}`;
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? filesUnder(full, `${name}/`) : [{ name, data: fs.readFileSync(full) }];
    });
}

describe("the delivery heartbeat", function () {
    let run: OfflineRun;

    before(async function () {
        run = await defaultProgram();
    });

    it("alarms when nothing reached the trail's log group for a day, in five-minute periods, missing data breaching, to Slack and the operators", function () {
        const alarm = byName(run, "login-alerts-delivery-heartbeat-alarm");
        assert.strictEqual(alarm.parent, byName(run, "login-alerts-operator-alerts").urn);
        const actions = [byName(run, "login-alerts-alarms").state["arn"], byName(run, "login-alerts-operators").state["arn"]];
        assert.deepStrictEqual(alarm.inputs, {
            name: "login-alerts-dev-delivery-heartbeat",
            alarmDescription: `No event reached the trail's log group for 1440 minutes: CloudTrail may have stopped delivering, and every rule of console-login-alerts (login-alerts-dev) is blind. Dashboard: ${DASHBOARD_URL}`,
            namespace: "AWS/Logs",
            metricName: "IncomingLogEvents",
            dimensions: { LogGroupName: byName(run, "login-alerts-trail-logs").state["name"] },
            statistic: "Sum",
            period: 300,
            evaluationPeriods: 288,
            datapointsToAlarm: 288,
            threshold: 0,
            comparisonOperator: "LessThanOrEqualToThreshold",
            treatMissingData: "breaching",
            alarmActions: actions,
            okActions: actions,
        });
    });

    it("tells the function its name and the silence it allows", function () {
        assert.strictEqual(environmentOf(run)["HEARTBEAT_ALARM_NAME"], "login-alerts-dev-delivery-heartbeat");
        assert.strictEqual(functionConfigFor().heartbeatQuietMinutes, 1440);
        assert.strictEqual(functionConfigFor({ heartbeatMinutes: "90" }).heartbeatQuietMinutes, 90);
    });

    it("lets CloudWatch publish its notifications to the operators' topic, besides the dead-letter and error alarms; and the function, no one else", function () {
        const topicArn = byName(run, "login-alerts-operators").state["arn"];
        const alarmArns = ["dead-letters-alarm", "function-errors-alarm", "delivery-heartbeat-alarm"].map(
            (child) => byName(run, `login-alerts-${child}`).state["arn"],
        );
        assert.deepStrictEqual(policyDoc(byName(run, "login-alerts-operators-policy")).Statement, [
            {
                Sid: "CloudWatchAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": alarmArns } },
            },
            {
                Sid: "NoOtherPublishers",
                Effect: "Deny",
                Principal: "*",
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: {
                    ArnNotLike: { "aws:SourceArn": alarmArns },
                    ArnNotEquals: { "aws:PrincipalArn": [byName(run, "login-alerts-function-role").state["arn"]] },
                },
            },
        ]);
    });

    it("makes every allowed silence out of periods and evaluation periods CloudWatch accepts", function () {
        assert.deepStrictEqual(heartbeatWindow(30), { period: 300, evaluationPeriods: 6 });
        assert.deepStrictEqual(heartbeatWindow(1440), { period: 300, evaluationPeriods: 288 });
        assert.deepStrictEqual(heartbeatWindow(1500), { period: 3600, evaluationPeriods: 25 });
        assert.deepStrictEqual(heartbeatWindow(10080), { period: 3600, evaluationPeriods: 168 });
        for (const minutes of [30, 35, 1440, 1500, 10080]) {
            const { period, evaluationPeriods } = heartbeatWindow(minutes);
            // CloudWatch API Reference, PutMetricAlarm: a day at most under hourly periods, 7 days in all.
            assert.ok(period * evaluationPeriods <= (period < 3600 ? 86400 : 604800), String(minutes));
            assert.strictEqual(period * evaluationPeriods, minutes * 60);
        }
    });

    it("watches the existing trail's log group when the stack brings its own", async function () {
        const existing = await runWith({ existingTrailLogGroupName: "aws-controltower/CloudTrailLogs", fastPath: "false" });
        const alarm = byName(existing, "login-alerts-delivery-heartbeat-alarm");
        assert.deepStrictEqual(alarm.inputs["dimensions"], { LogGroupName: "aws-controltower/CloudTrailLogs" });
    });

    it("is not created when heartbeatMinutes is 0, and the function is told so", async function () {
        const off = await runWith({ heartbeatMinutes: "0", fastPath: "false" });
        assert.deepStrictEqual(
            off.resources.filter((r) => r.name.includes("heartbeat")).map((r) => r.name),
            [],
        );
        assert.strictEqual(environmentOf(off)["HEARTBEAT_ALARM_NAME"], "");
        assert.strictEqual(functionConfigFor({ heartbeatMinutes: "0" }).heartbeatQuietMinutes, 0);
        const alarmsPolicy = policyDoc(byName(off, "login-alerts-alarms-policy")).Statement[0]!;
        const arns = (alarmsPolicy["Condition"] as { ArnLike: { "aws:SourceArn": string[] } }).ArnLike["aws:SourceArn"];
        assert.deepStrictEqual(
            arns,
            BUILT_IN_RULE_IDS.map((id) => byName(off, `login-alerts-${id}-alarm`).state["arn"]),
        );
    });
});

describe("the operators' dashboard", function () {
    let run: OfflineRun;
    let dashboard: RecordedResource;

    before(async function () {
        run = await defaultProgram();
        dashboard = byName(run, "login-alerts-dashboard");
    });

    it("is an awsx classic CloudWatch dashboard named for the stack, its address a stack output", function () {
        assert.strictEqual(dashboard.type, "aws:cloudwatch/dashboard:Dashboard");
        assert.strictEqual(dashboard.parent, byName(run, "login-alerts-operator-alerts").urn);
        assert.strictEqual(dashboard.inputs["dashboardName"], "login-alerts-dev-operators");
        assert.strictEqual(run.outputs["dashboardUrl"], DASHBOARD_URL);
    });

    it("shows events per rule, delay per delivery path, backstop-first deliveries, the function, its dead letters and the trail's incoming events", function () {
        const rules = BUILT_IN_RULE_IDS.map((id) => line("ConsoleLoginAlerts", `login-alerts-dev-${id}`, {}, "Sum", id));
        const delay = (p: string, stat: string) =>
            line("ConsoleLoginAlerts", "DeliveryDelay", { Path: p }, stat, `${p} ${stat.toLowerCase()}`);
        const fn = { FunctionName: byName(run, "login-alerts-function").state["name"] };
        assert.deepStrictEqual(JSON.parse(String(dashboard.inputs["dashboardBody"])), {
            widgets: [
                widget(0, 0, "Events per rule", rules),
                widget(12, 0, "Delay from event to Slack, by path (ms)", [
                    delay("fast", "Average"),
                    delay("fast", "Maximum"),
                    delay("backstop", "Average"),
                    delay("backstop", "Maximum"),
                ]),
                widget(0, 6, "Events the backstop posted first (EventBridge missed them)", [
                    line("ConsoleLoginAlerts", "BackstopFirstDeliveries", { Path: "backstop" }, "Sum", "posted first by the backstop"),
                ]),
                widget(0, 12, "Function invocations and errors", [
                    line("AWS/Lambda", "Invocations", fn, "Sum", "invocations"),
                    line("AWS/Lambda", "Errors", fn, "Sum", "errors"),
                ]),
                widget(12, 12, "Function duration (ms)", [
                    line("AWS/Lambda", "Duration", fn, "Average", "average"),
                    line("AWS/Lambda", "Duration", fn, "Maximum", "maximum"),
                ]),
                widget(0, 18, "Dead-lettered notifications waiting", [
                    line(
                        "AWS/SQS",
                        "ApproximateNumberOfMessagesVisible",
                        { QueueName: byName(run, "login-alerts-dead-letters").state["name"] },
                        "Maximum",
                        "dead letters",
                    ),
                ]),
                widget(12, 18, "Events reaching the trail's log group", [
                    line(
                        "AWS/Logs",
                        "IncomingLogEvents",
                        { LogGroupName: byName(run, "login-alerts-trail-logs").state["name"] },
                        "Sum",
                        "incoming log events",
                    ),
                ]),
            ],
        });
    });

    it("is linked from the descriptions of the operators' alarms", function () {
        assert.strictEqual(
            byName(run, "login-alerts-dead-letters-alarm").inputs["alarmDescription"],
            `Sign-in notifications of console-login-alerts (login-alerts-dev) failed and were dead-lettered; see the README's redrive. Dashboard: ${DASHBOARD_URL}`,
        );
        assert.strictEqual(
            byName(run, "login-alerts-function-errors-alarm").inputs["alarmDescription"],
            `The console-login-alerts function (login-alerts-dev) failed; Slack or AWS may be refusing its calls. Dashboard: ${DASHBOARD_URL}`,
        );
    });

    it("names the dashboard with the characters CloudWatch allows, whatever the stack is called", async function () {
        const dotted = await runWith({ fastPath: "false" }, "prod.eu_1");
        assert.strictEqual(byName(dotted, "login-alerts-dashboard").inputs["dashboardName"], "login-alerts-prod-eu_1-operators");
        assert.match(String(dotted.outputs["dashboardUrl"]), /#dashboards:name=login-alerts-prod-eu_1-operators$/);
    });

    it("leaves @pulumi/awsx, a deploy-time package, out of the function's code archive", async function () {
        const fn = unpackFunction(run);
        try {
            const zipped = await readZip(await writeZip(filesUnder(fn.dir)));
            const names = zipped.map((e) => e.name);
            assert.deepStrictEqual(names.sort(), ["THIRD-PARTY-NOTICES.txt", "__index.js", "config.json"]);
            assert.doesNotMatch(fn.indexJs, /awsx/);
        } finally {
            fs.rmSync(fn.dir, { recursive: true, force: true });
            fs.rmSync(fn.runtimeModules, { recursive: true, force: true });
        }
    });
});

describe("the summary schedule", function () {
    it("is not created when summary is off (the default)", async function () {
        const run = await defaultProgram();
        assert.deepStrictEqual(
            run.resources.filter((r) => r.name.includes("summary") || r.type === "aws:scheduler/schedule:Schedule").map((r) => r.name),
            [],
        );
        assert.strictEqual(functionConfigFor().summary, "off");
    });

    for (const [period, expression] of [
        ["daily", "cron(0 9 * * ? *)"],
        ["weekly", "cron(0 9 ? * MON *)"],
    ] as const) {
        it(`invokes the function at 09:00 in the stack's time zone, ${period}, with the summary request as its input`, async function () {
            assert.strictEqual(SUMMARY_SCHEDULES[period], expression);
            const run = await runWith({ summary: period, timeZone: "Asia/Tokyo", fastPath: "false" });
            const fn = byName(run, "login-alerts-function");
            const role = byName(run, "login-alerts-summary-role");
            const policy = byName(run, "login-alerts-summary-policy");
            const schedule = byName(run, "login-alerts-summary-schedule");
            assert.strictEqual(schedule.parent, byName(run, "login-alerts-notifier").urn);
            assert.deepStrictEqual(schedule.inputs, {
                description: `The ${period} summary of console sign-ins, at 09:00 Asia/Tokyo.`,
                scheduleExpression: expression,
                scheduleExpressionTimezone: "Asia/Tokyo",
                flexibleTimeWindow: { mode: "OFF" },
                // Scheduler writes the time it fired for into the input, so a redriven request still names its period.
                target: {
                    arn: fn.state["arn"],
                    roleArn: role.state["arn"],
                    input: JSON.stringify({ loginAlertsSummary: period, scheduledTime: "<aws.scheduler.scheduled-time>" }),
                },
            });
            assert.ok(schedule.dependencies.includes(policy.urn), "the schedule waits for its role's policy");
            assert.deepStrictEqual(policyDoc(role, "assumeRolePolicy").Statement, [
                {
                    Effect: "Allow",
                    Principal: { Service: "scheduler.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
                },
            ]);
            assert.strictEqual(policy.inputs["role"], role.id);
            assert.deepStrictEqual(policyDoc(policy).Statement, [
                { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: fn.state["arn"] },
            ]);
            assert.strictEqual(ofType(run, "aws:scheduler/schedule:Schedule").length, 1);
            assert.strictEqual(functionConfigFor({ summary: period }).summary, period);
        });
    }
});

describe("what the function is told about people", function () {
    it("captures the language, first-seen window and new-network severities into its configuration", function () {
        const config = functionConfigFor({
            language: "ja",
            firstSeenDays: "30",
            newNetworkSeverity: '{"console-signin":"critical","signin-failures":"info"}',
        });
        assert.deepStrictEqual(
            { language: config.language, firstSeen: config.firstSeen },
            { language: "ja", firstSeen: { days: 30, raiseOnNewNetwork: { "console-signin": "critical", "signin-failures": "info" } } },
        );
        assert.deepStrictEqual(
            { language: functionConfigFor().language, firstSeen: functionConfigFor().firstSeen },
            { language: "en", firstSeen: { days: 90, raiseOnNewNetwork: { "console-signin": "high" } } },
        );
    });
});
