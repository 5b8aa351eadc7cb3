import * as http from "http";
import type { AddressInfo } from "net";
import { matchesFilterPattern } from "./filterPattern";

/** A log event stored in the fake trail log group. */
export interface StoredLogEvent {
    logGroupName: string;
    /** The log event's timestamp, which FilterLogEvents' startTime/endTime select on. */
    timestamp: number;
    message: string;
}

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
}

type Item = Record<string, { S?: string; N?: string }>;

/**
 * A local stand-in for the three AWS JSON APIs the function calls (SSM, CloudWatch Logs, DynamoDB),
 * reached through AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS and AWS_ENDPOINT_URL_DYNAMODB.
 * FilterLogEvents evaluates the real filter pattern and pages like the service does.
 */
export class FakeAws {
    readonly parameters = new Map<string, { type: string; value: string }>();
    readonly logEvents: StoredLogEvent[] = [];
    readonly table = new Map<string, Item>();
    readonly calls: AwsCall[] = [];
    readonly faults = new Map<string, AwsFault[]>();
    pageSize = 50;
    private server: http.Server;
    url = "";

    constructor() {
        this.server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                const target = String(req.headers["x-amz-target"] ?? "");
                const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
                const operation = target.split(".")[1] ?? target;
                const contentType = target.startsWith("DynamoDB") ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
                const reply = (status: number, payload: unknown, errorType?: string) => {
                    this.calls.push({ target: operation, body, answeredWith: status });
                    res.writeHead(status, { "content-type": contentType, ...(errorType ? { "x-amzn-errortype": errorType } : {}) });
                    res.end(JSON.stringify(payload));
                };
                const fault = this.faults.get(operation)?.shift();
                if (fault) {
                    reply(fault.status, { __type: fault.type, message: fault.message }, fault.type);
                    return;
                }
                try {
                    const out = this.handle(operation, body);
                    if ("error" in out) {
                        reply(400, { __type: out.error, message: out.message }, out.error);
                    } else {
                        reply(200, out.ok);
                    }
                } catch (err) {
                    reply(500, { __type: "InternalFailure", message: (err as Error).message }, "InternalFailure");
                }
            });
        });
    }

    async start(): Promise<this> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this;
    }

    async stop(): Promise<void> {
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
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
            AWS_ACCESS_KEY_ID: "AKIDLOCALTEST",
            AWS_SECRET_ACCESS_KEY: "local-test-secret",
            AWS_ENDPOINT_URL_SSM: this.url,
            AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: this.url,
            AWS_ENDPOINT_URL_DYNAMODB: this.url,
        };
    }

    callsOf(operation: string): AwsCall[] {
        return this.calls.filter((c) => c.target === operation);
    }

    private handle(operation: string, body: Record<string, unknown>): { ok: unknown } | { error: string; message: string } {
        switch (operation) {
            case "GetParameter": {
                const p = this.parameters.get(String(body["Name"]));
                if (!p) {
                    return { error: "ParameterNotFound", message: `Parameter ${String(body["Name"])} not found.` };
                }
                return { ok: { Parameter: { Name: body["Name"], Type: p.type, Value: p.value, Version: 1 } } };
            }
            case "FilterLogEvents":
                return { ok: this.filterLogEvents(body) };
            case "GetItem": {
                const item = this.table.get(key(body["Key"]));
                return { ok: item ? { Item: item } : {} };
            }
            case "PutItem": {
                const item = body["Item"] as Item;
                const existing = this.table.get(key(item));
                if (body["ConditionExpression"] && !evaluateCondition(String(body["ConditionExpression"]), existing, body)) {
                    return { error: "ConditionalCheckFailedException", message: "The conditional request failed" };
                }
                this.table.set(key(item), item);
                return { ok: {} };
            }
            case "DeleteItem": {
                const existing = this.table.get(key(body["Key"]));
                if (body["ConditionExpression"] && !evaluateCondition(String(body["ConditionExpression"]), existing, body)) {
                    return { error: "ConditionalCheckFailedException", message: "The conditional request failed" };
                }
                this.table.delete(key(body["Key"]));
                return { ok: {} };
            }
            case "BatchGetItem": {
                const requests = body["RequestItems"] as Record<string, { Keys: Item[] }>;
                const responses: Record<string, Item[]> = {};
                for (const [table, { Keys }] of Object.entries(requests)) {
                    responses[table] = Keys.map((k) => this.table.get(key(k))).filter((i): i is Item => i !== undefined);
                }
                return { ok: { Responses: responses, UnprocessedKeys: {} } };
            }
            case "BatchWriteItem": {
                const requests = body["RequestItems"] as Record<string, Array<{ PutRequest?: { Item: Item } }>>;
                for (const writes of Object.values(requests)) {
                    for (const w of writes) {
                        if (w.PutRequest) {
                            this.table.set(key(w.PutRequest.Item), w.PutRequest.Item);
                        }
                    }
                }
                return { ok: { UnprocessedItems: {} } };
            }
            default:
                return { error: "UnknownOperationException", message: `The fake does not implement ${operation}.` };
        }
    }

    private filterLogEvents(body: Record<string, unknown>): unknown {
        const start = Number(body["startTime"] ?? 0);
        const end = Number(body["endTime"] ?? Number.MAX_SAFE_INTEGER);
        const pattern = String(body["filterPattern"] ?? "");
        const matching = this.logEvents
            .filter((e) => e.logGroupName === body["logGroupName"] && e.timestamp >= start && e.timestamp <= end)
            .filter((e) => pattern === "" || matchesFilterPattern(pattern, e.message))
            .sort((a, b) => a.timestamp - b.timestamp);
        const offset = Number(body["nextToken"] ?? 0);
        const page = matching.slice(offset, offset + this.pageSize);
        const next = offset + this.pageSize < matching.length ? String(offset + this.pageSize) : undefined;
        return {
            events: page.map((e, i) => ({
                logStreamName: "111122223333_CloudTrail_us-east-1",
                timestamp: e.timestamp,
                message: e.message,
                ingestionTime: e.timestamp + 1000,
                eventId: `${e.timestamp}-${offset + i}`,
            })),
            searchedLogStreams: [],
            ...(next ? { nextToken: next } : {}),
        };
    }
}

function key(k: unknown): string {
    return String((k as Item)["pk"]?.S);
}

// Evaluates the handful of condition expressions the function uses, the way DynamoDB would.
function evaluateCondition(expression: string, existing: Item | undefined, body: Record<string, unknown>): boolean {
    const names = (body["ExpressionAttributeNames"] ?? {}) as Record<string, string>;
    const values = (body["ExpressionAttributeValues"] ?? {}) as Record<string, { S?: string; N?: string }>;
    return expression.split(" OR ").some((clause) => {
        const c = clause.trim();
        const notExists = /^attribute_not_exists\((\w+)\)$/.exec(c);
        if (notExists) {
            return existing === undefined || existing[notExists[1]!] === undefined;
        }
        const cmp = /^(#\w+) (<|=) (:\w+)$/.exec(c);
        if (!cmp) {
            throw new Error(`The fake cannot evaluate the condition ${c}`);
        }
        const attr = existing?.[names[cmp[1]!]!];
        const value = values[cmp[3]!];
        if (!attr || !value) {
            return false;
        }
        if (cmp[2] === "<") {
            return Number(attr.N) < Number(value.N);
        }
        return (attr.S ?? attr.N) === (value.S ?? value.N);
    });
}
