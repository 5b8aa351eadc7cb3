import * as http from "http";
import type { AddressInfo, Socket } from "net";

/** Starts a server on the loopback address at a port the system picks, and returns its origin (`http://127.0.0.1:<port>`). */
export async function listenLocally(server: http.Server): Promise<string> {
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            server.off("error", reject);
            resolve();
        });
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * A local HTTP server that stands in for a remote API: it listens on 127.0.0.1 at a free port,
 * hands each request to {@link handle} with its whole body read, and on {@link stop} destroys the
 * connections still open, since the AWS SDK and node-fetch keep idle sockets alive and
 * `server.close()` alone would wait for them.
 */
export abstract class HttpStandIn {
    /** `http://127.0.0.1:<port>`, once started. */
    origin = "";
    private readonly server: http.Server;
    private readonly sockets = new Set<Socket>();

    constructor() {
        this.server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => this.handle(req, res, Buffer.concat(chunks)));
        });
        this.server.on("connection", (socket) => {
            this.sockets.add(socket);
            socket.on("close", () => this.sockets.delete(socket));
        });
    }

    /** Answers one request; `body` is the whole request body. */
    protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void;

    async start(): Promise<this> {
        this.origin = await listenLocally(this.server);
        return this;
    }

    async stop(): Promise<void> {
        for (const socket of this.sockets) {
            socket.destroy();
        }
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
}
