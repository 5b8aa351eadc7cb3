/**
 * The local stand-in for SNS, reached through AWS_ENDPOINT_URL_SNS. SNS speaks the AWS Query
 * protocol: a form-encoded POST naming the Action, answered in XML. Only Publish is implemented,
 * the one call the function makes; tests combine `env()` with LocalAws's.
 */
import { randomUUID } from "crypto";
import type * as http from "http";
import { HttpStandIn } from "./httpStandIn";

/** One Publish the stand-in took. */
export interface SnsPublish {
    topicArn: string;
    subject: string | undefined;
    message: string;
}

/** A scripted SNS error for the next Publish, e.g. 403 AuthorizationError or 400 KMSAccessDenied. */
export interface SnsFault {
    status: number;
    code: string;
    message: string;
}

function escapeXml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/";

export class LocalSns extends HttpStandIn {
    readonly published: SnsPublish[] = [];
    /** Every request's Action, in order, with the status it was answered with. */
    readonly calls: Array<{ action: string; answeredWith: number }> = [];
    readonly faults: SnsFault[] = [];

    protected handle(_req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): void {
        const form = new URLSearchParams(raw.toString("utf8"));
        const action = form.get("Action") ?? "";
        const requestId = randomUUID();
        const reply = (status: number, xml: string) => {
            this.calls.push({ action, answeredWith: status });
            res.writeHead(status, { "content-type": "text/xml" });
            res.end(xml);
        };
        const error = (fault: SnsFault) =>
            reply(
                fault.status,
                `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${escapeXml(fault.code)}</Code>` +
                    `<Message>${escapeXml(fault.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
            );
        if (action !== "Publish") {
            error({ status: 400, code: "InvalidAction", message: `The local stand-in does not implement ${action}.` });
            return;
        }
        const fault = this.faults.shift();
        if (fault) {
            error(fault);
            return;
        }
        const topicArn = form.get("TopicArn");
        const message = form.get("Message");
        if (!topicArn || message === null || message === "") {
            error({ status: 400, code: "InvalidParameter", message: "Invalid parameter: TopicArn and Message are required" });
            return;
        }
        const subject = form.get("Subject") ?? undefined;
        if (subject !== undefined && (subject.length > 100 || /[^\x20-\x7E]/.test(subject))) {
            error({ status: 400, code: "InvalidParameter", message: "Invalid parameter: Subject" });
            return;
        }
        this.published.push({ topicArn, subject, message });
        reply(
            200,
            `<PublishResponse xmlns="${NAMESPACE}"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult>` +
                `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
        );
    }

    /** Forgets what was published and the scripted faults. */
    reset(): void {
        this.published.length = 0;
        this.calls.length = 0;
        this.faults.length = 0;
    }

    /** The environment that points the AWS SDK's SNS client at this server. */
    env(): Record<string, string> {
        return { AWS_ENDPOINT_URL_SNS: this.origin };
    }
}
