import * as http from "http";
import {
    BatchWriteItemCommand,
    CreateTableCommand,
    DeleteTableCommand,
    DynamoDBClient,
    PutItemCommand,
    ScanCommand,
    type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { HttpStandIn, listenLocally } from "./httpStandIn";
import { dynalite, forwardRequest, LOCAL_CREDENTIALS, tableStatus, waitForTable, type ForwardedAnswer } from "./localDynamo";
import { filterLogEvents, type StoredLogEvent } from "./localLogs";
import { answerIfSigned } from "./sigv4Check";

// The name each API's requests are signed for, by the prefix of its X-Amz-Target.
const SIGNING_NAMES: Record<string, string> = {
    DynamoDB_20120810: "dynamodb",
    AmazonSSM: "ssm",
    Logs_20140328: "logs",
    CloudTrail_20131101: "cloudtrail",
    AWSOrganizationsV20161128: "organizations",
};

export type { StoredLogEvent } from "./localLogs";

/** A scripted AWS error for the next call of an operation. */
export interface AwsFault {
    status: number;
    type: string;
    message: string;
}

export interface AwsCall {
    target: string;
    body: Record<string, unknown>;
    answeredWith: number;
    /** The region the request was signed for, as its credential scope names it. */
    signedFor?: string;
}

/** An item of the state table, in DynamoDB's attribute-value form. */
export type Item = Record<string, AttributeValue>;

/** GetTrailStatus's answer, as much of it as the function reads. */
export interface TrailStatusAnswer {
    IsLogging: boolean;
    LatestCloudWatchLogsDeliveryTime?: number;
    LatestCloudWatchLogsDeliveryError?: string;
    LatestDeliveryError?: string;
}

/**
 * A local stand-in for the AWS JSON APIs the function calls (SSM, CloudWatch Logs, DynamoDB,
 * CloudTrail, Organizations), reached through their AWS_ENDPOINT_URL_<service> variables (env()).
 * Like AWS, it answers only requests signed with its credentials (./sigv4Check.ts).
 * FilterLogEvents evaluates the real filter pattern and pages like the service does. DynamoDB calls
 * are forwarded to an in-memory dynalite server, so conditional writes, batch limits and validation
 * errors are DynamoDB's own; this server only records them and applies scripted faults first.
 */
export class LocalAws extends HttpStandIn {
    readonly parameters = new Map<string, { type: string; value: string }>();
    readonly logEvents: StoredLogEvent[] = [];
    /**
     * Trails by ARN, answered as GetTrailStatus answers (CloudTrail API Reference, "GetTrailStatus":
     * times in epoch seconds over the JSON protocol); any other name is TrailNotFoundException.
     */
    readonly trails = new Map<string, TrailStatusAnswer>();
    /**
     * The organization's accounts by id, answered as DescribeAccount answers (AWS Organizations API
     * Reference, "DescribeAccount" and "Account"); any other id is AccountNotFoundException.
     */
    readonly accounts = new Map<string, { Name: string; Status?: string }>();
    readonly calls: AwsCall[] = [];
    readonly faults = new Map<string, AwsFault[]>();
    pageSize = 50;
    private dynamo: http.Server;
    private dynamoUrl = "";
    private admin: DynamoDBClient | undefined;
    /** Settles when the last table reset has; DynamoDB requests wait for it. */
    private tableReady: Promise<void> = Promise.resolve();
    /** The state table's name, known once resetTable has created it. */
    tableName = "";

    constructor() {
        super();
        this.dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    }

    /** The endpoint the AWS SDK is pointed at, once started. */
    get url(): string {
        return this.origin;
    }

    /** Answers only what is signed with the local credentials for the service the target names, as AWS does. */
    protected handle(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): void {
        const target = String(req.headers["x-amz-target"] ?? "");
        const service = SIGNING_NAMES[target.split(".")[0] ?? ""] ?? "unknown";
        answerIfSigned(
            { req, res, raw },
            service,
            () => this.answerSigned(req, res, raw),
            () => this.calls.push({ target: target.split(".")[1] ?? target, body: {}, answeredWith: 403 }),
        );
    }

    private answerSigned(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): void {
        const target = String(req.headers["x-amz-target"] ?? "");
        const body = JSON.parse(raw.toString("utf8") || "{}") as Record<string, unknown>;
        const operation = target.split(".")[1] ?? target;
        const signedFor = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(req.headers["authorization"]))?.[1];
        const contentType = target.startsWith("DynamoDB") ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
        const reply = (status: number, payload: unknown, errorType?: string) => {
            this.calls.push({ target: operation, body, answeredWith: status, signedFor });
            res.writeHead(status, { "content-type": contentType, ...(errorType ? { "x-amzn-errortype": errorType } : {}) });
            res.end(JSON.stringify(payload));
        };
        const fault = this.faults.get(operation)?.shift();
        if (fault) {
            reply(fault.status, { __type: fault.type, message: fault.message }, fault.type);
            return;
        }
        if (target.startsWith("DynamoDB_20120810.")) {
            this.forwardToDynamo(req, raw).then(
                (answer) => {
                    this.calls.push({ target: operation, body, answeredWith: answer.status, signedFor });
                    res.writeHead(answer.status, answer.headers);
                    res.end(answer.body);
                },
                (err: Error) => reply(500, { __type: "InternalFailure", message: err.message }, "InternalFailure"),
            );
            return;
        }
        try {
            const out = this.answer(operation, body);
            if ("error" in out) {
                reply(400, { __type: out.error, message: out.message }, out.error);
            } else {
                reply(200, out.ok);
            }
        } catch (err) {
            reply(500, { __type: "InternalFailure", message: (err as Error).message }, "InternalFailure");
        }
    }

    override async start(): Promise<this> {
        await super.start();
        this.dynamoUrl = await listenLocally(this.dynamo);
        this.admin = new DynamoDBClient({ region: "us-east-1", endpoint: this.dynamoUrl, credentials: LOCAL_CREDENTIALS });
        return this;
    }

    override async stop(): Promise<void> {
        this.admin?.destroy();
        await super.stop();
        this.dynamo.closeAllConnections();
        await new Promise<void>((resolve) => this.dynamo.close(() => resolve()));
    }

    /**
     * Deletes the state table if it exists and creates it empty, with the key schema of the
     * program's table (hash key `pk`, a string). DynamoDB requests that arrive meanwhile wait.
     */
    resetTable(tableName: string): Promise<void> {
        const reset = this.tableReady.then(async () => {
            const admin = this.requireAdmin();
            const previous = this.tableName;
            this.tableName = tableName;
            for (const name of new Set([previous, tableName])) {
                if (name && (await this.tableStatus(name)) !== undefined) {
                    await admin.send(new DeleteTableCommand({ TableName: name }));
                    await this.waitForTable(name, undefined);
                }
            }
            await admin.send(
                new CreateTableCommand({
                    TableName: tableName,
                    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
                    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
                    BillingMode: "PAY_PER_REQUEST",
                }),
            );
            await this.waitForTable(tableName, "ACTIVE");
        });
        // A failed reset must not wedge later requests: they then meet DynamoDB's own ResourceNotFoundException.
        this.tableReady = reset.catch(() => undefined);
        return reset;
    }

    /** Every item of the state table, read directly from dynalite (not recorded in `calls`). */
    async items(): Promise<Item[]> {
        await this.tableReady;
        const items: Item[] = [];
        let start: Item | undefined;
        do {
            const out = await this.requireAdmin().send(
                new ScanCommand({ TableName: this.requireTable(), ConsistentRead: true, ExclusiveStartKey: start }),
            );
            items.push(...(out.Items ?? []));
            start = out.LastEvaluatedKey;
        } while (start);
        return items.sort((a, b) => String(a["pk"]?.S).localeCompare(String(b["pk"]?.S)));
    }

    /** The item with this `pk`, if the table holds one. */
    async item(pk: string): Promise<Item | undefined> {
        return (await this.items()).find((i) => i["pk"]?.S === pk);
    }

    /** Writes items into the state table directly (not recorded in `calls`), 25 to a batch as DynamoDB requires. */
    async putItem(...items: Item[]): Promise<void> {
        await this.tableReady;
        const admin = this.requireAdmin();
        const table = this.requireTable();
        if (items.length === 1) {
            await admin.send(new PutItemCommand({ TableName: table, Item: items[0] }));
            return;
        }
        for (let i = 0; i < items.length; i += 25) {
            let request = { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) };
            while (Object.keys(request).length > 0) {
                const out = await admin.send(new BatchWriteItemCommand({ RequestItems: request }));
                request = (out.UnprocessedItems ?? {}) as typeof request;
            }
        }
    }

    private requireAdmin(): DynamoDBClient {
        if (!this.admin) {
            throw new Error("LocalAws is not started");
        }
        return this.admin;
    }

    private requireTable(): string {
        if (!this.tableName) {
            throw new Error("LocalAws has no state table yet: call resetTable (or resetLocalEndpoints) first");
        }
        return this.tableName;
    }

    private tableStatus(name: string): Promise<string | undefined> {
        return tableStatus(this.requireAdmin(), name);
    }

    private waitForTable(name: string, status: string | undefined): Promise<void> {
        return waitForTable(this.requireAdmin(), name, status);
    }

    private async forwardToDynamo(req: http.IncomingMessage, body: Buffer): Promise<ForwardedAnswer> {
        await this.tableReady;
        return forwardRequest(this.dynamoUrl, req, body);
    }

    /** Makes the next `count` calls of an operation fail with a throttling error. */
    throttle(operation: string, count: number, type = "ThrottlingException"): void {
        this.faults.set(
            operation,
            Array.from({ length: count }, () => ({ status: 400, type, message: "Rate exceeded" })),
        );
    }

    /** The environment that points the AWS SDK at this server. */
    env(): Record<string, string> {
        return {
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
            AWS_ENDPOINT_URL_SSM: this.url,
            AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: this.url,
            AWS_ENDPOINT_URL_DYNAMODB: this.url,
            AWS_ENDPOINT_URL_CLOUDTRAIL: this.url,
            AWS_ENDPOINT_URL_ORGANIZATIONS: this.url,
        };
    }

    callsOf(operation: string): AwsCall[] {
        return this.calls.filter((c) => c.target === operation);
    }

    private answer(operation: string, body: Record<string, unknown>): { ok: unknown } | { error: string; message: string } {
        switch (operation) {
            case "GetParameter": {
                const p = this.parameters.get(String(body["Name"]));
                if (!p) {
                    return { error: "ParameterNotFound", message: `Parameter ${String(body["Name"])} not found.` };
                }
                return { ok: { Parameter: { Name: body["Name"], Type: p.type, Value: p.value, Version: 1 } } };
            }
            case "FilterLogEvents":
                return { ok: filterLogEvents(this.logEvents, body, this.pageSize) };
            case "GetTrailStatus": {
                const trail = this.trails.get(String(body["Name"]));
                if (!trail) {
                    return {
                        error: "TrailNotFoundException",
                        message: `Unknown trail: ${String(body["Name"])} for the user: 111122223333`,
                    };
                }
                return { ok: trail };
            }
            case "DescribeAccount":
                return this.describeAccount(String(body["AccountId"]));
            default:
                return { error: "UnknownOperationException", message: `The local stand-in does not implement ${operation}.` };
        }
    }

    private describeAccount(id: string): { ok: unknown } | { error: string; message: string } {
        const account = this.accounts.get(id);
        if (!account) {
            return {
                error: "AccountNotFoundException",
                message:
                    "We can't find an AWS account with the AccountId that you specified, or the account whose credentials you used to make this request isn't a member of an organization.",
            };
        }
        const arn = `arn:aws:organizations::111122223333:account/o-a1b2c3d4e5/${id}`;
        return {
            ok: { Account: { Id: id, Arn: arn, Email: `${id}@example.com`, Name: account.Name, Status: account.Status ?? "ACTIVE" } },
        };
    }
}
