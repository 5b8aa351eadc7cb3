/**
 * The DynamoDB part of the local AWS stand-in (localAws.ts): an in-memory dynalite server, the
 * credentials of the client that manages its table, and the plain HTTP forwarding of the
 * function's DynamoDB requests to it.
 */
import * as http from "http";
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";

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

/** Sends a DynamoDB request on to dynalite at `url` unchanged (its signature and body included) and returns the answer. */
export function forwardRequest(url: string, req: http.IncomingMessage, body: Buffer): Promise<ForwardedAnswer> {
    const target = new URL(url);
    return new Promise((resolve, reject) => {
        const out = http.request(
            {
                host: target.hostname,
                port: target.port,
                method: req.method,
                path: req.url,
                headers: { ...req.headers, host: target.host },
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
