/**
 * The DynamoDB part of the local AWS stand-in (localAws.ts): an in-memory dynalite server, the
 * credentials of the client that manages its table, and the plain HTTP forwarding of the
 * function's DynamoDB requests to it, with TransactWriteItems, which dynalite lacks, answered by
 * dynamoTransactions.ts.
 */
import * as http from "http";
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { transactWriteItems, type DynaliteAnswer, type TransactionMemory } from "./dynamoTransactions";

// dynalite ships no type declarations; this is the part of its API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const dynalite = require("dynalite") as (options: {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
}) => http.Server;

// Credentials for the client that manages dynalite's table. dynalite checks that a request carries
// a complete SigV4 Authorization header but, unlike DynamoDB, does not verify the signature.
export const LOCAL_CREDENTIALS = { accessKeyId: "AKIDLOCALTEST", secretAccessKey: "local-test-secret" };

export async function tableStatus(admin: DynamoDBClient, name: string): Promise<string | undefined> {
    try {
        const out = await admin.send(new DescribeTableCommand({ TableName: name }));
        return out.Table?.TableStatus;
    } catch (err) {
        if ((err as Error).name === "ResourceNotFoundException") {
            return undefined;
        }
        throw err;
    }
}

/** Polls until the table has `status`, or is gone when `status` is undefined. */
export async function waitForTable(admin: DynamoDBClient, name: string, status: string | undefined): Promise<void> {
    for (let i = 0; (await tableStatus(admin, name)) !== status; i++) {
        if (i >= 200) {
            throw new Error(`dynalite's table ${name} did not become ${status ?? "deleted"}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
    }
}

export interface ForwardedAnswer {
    status: number;
    headers: http.OutgoingHttpHeaders;
    body: Buffer;
}

/**
 * Who may reach one dynalite server: any number of single requests side by side, or one
 * transaction alone, in the order they came, so no request sees a transaction half applied.
 */
interface Gate {
    active: number;
    exclusive: boolean;
    waiting: Array<{ exclusive: boolean; go: () => void }>;
    memory: TransactionMemory;
}

// By dynalite server URL: each LocalAws has its own.
const gates = new Map<string, Gate>();

function gateOf(url: string): Gate {
    let gate = gates.get(url);
    if (!gate) {
        gate = { active: 0, exclusive: false, waiting: [], memory: { tokens: new Map() } };
        gates.set(url, gate);
    }
    return gate;
}

const mayEnter = (gate: Gate, exclusive: boolean) => (exclusive ? gate.active === 0 : !gate.exclusive);

async function enter(gate: Gate, exclusive: boolean): Promise<void> {
    if (gate.waiting.length === 0 && mayEnter(gate, exclusive)) {
        gate.active += 1;
        gate.exclusive = exclusive;
        return;
    }
    await new Promise<void>((go) => gate.waiting.push({ exclusive, go }));
}

function leave(gate: Gate): void {
    gate.active -= 1;
    if (gate.active === 0) {
        gate.exclusive = false;
    }
    for (let next = gate.waiting[0]; next && mayEnter(gate, next.exclusive); next = gate.waiting[0]) {
        gate.waiting.shift();
        gate.active += 1;
        gate.exclusive = next.exclusive;
        next.go();
    }
}

/** The request's headers for another body or operation: the same signature, which dynalite does not verify. */
function headersFor(req: http.IncomingMessage, host: string, operation?: string): http.OutgoingHttpHeaders {
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host };
    delete headers["content-length"];
    if (operation) {
        headers["x-amz-target"] = `DynamoDB_20120810.${operation}`;
    }
    return headers;
}

/**
 * Sends a DynamoDB request on to dynalite at `url` (its signature and body included) and returns
 * the answer; a TransactWriteItems is answered from dynalite's single-item calls, alone.
 */
export async function forwardRequest(url: string, req: http.IncomingMessage, body: Buffer): Promise<ForwardedAnswer> {
    const transaction = req.headers["x-amz-target"] === "DynamoDB_20120810.TransactWriteItems";
    const gate = gateOf(url);
    await enter(gate, transaction);
    try {
        if (!transaction) {
            return await send(url, req.method ?? "POST", req.url ?? "/", headersFor(req, new URL(url).host), body);
        }
        const call = async (operation: string, json: Record<string, unknown>): Promise<DynaliteAnswer> => {
            const out = await send(url, "POST", "/", headersFor(req, new URL(url).host, operation), Buffer.from(JSON.stringify(json)));
            return { status: out.status, json: JSON.parse(out.body.toString("utf8") || "{}") as Record<string, unknown> };
        };
        const out = await transactWriteItems(call, JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>, gate.memory);
        const type = out.status === 200 ? undefined : String(out.json["__type"]).split("#")[1];
        return {
            status: out.status,
            headers: { "content-type": "application/x-amz-json-1.0", ...(type ? { "x-amzn-errortype": type } : {}) },
            body: Buffer.from(JSON.stringify(out.json)),
        };
    } finally {
        leave(gate);
    }
}

function send(url: string, method: string, path: string, headers: http.OutgoingHttpHeaders, body: Buffer): Promise<ForwardedAnswer> {
    const target = new URL(url);
    return new Promise((resolve, reject) => {
        const out = http.request(
            {
                host: target.hostname,
                port: target.port,
                method,
                path,
                headers: { ...headers, "content-length": body.length },
            },
            (answer) => {
                const chunks: Buffer[] = [];
                answer.on("data", (c: Buffer) => chunks.push(c));
                answer.on("error", reject);
                answer.on("end", () => {
                    const headers: http.OutgoingHttpHeaders = {};
                    for (const [name, value] of Object.entries(answer.headers)) {
                        if (value !== undefined && name !== "connection" && name !== "keep-alive" && name !== "transfer-encoding") {
                            headers[name] = value;
                        }
                    }
                    resolve({ status: answer.statusCode ?? 500, headers, body: Buffer.concat(chunks) });
                });
            },
        );
        out.on("error", reject);
        out.end(body);
    });
}
