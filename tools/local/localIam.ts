/**
 * The local stand-in for IAM, reached through AWS_ENDPOINT_URL_IAM: the AWS Query protocol (a
 * form-encoded POST naming the Action, answered in XML), ListUserTags alone, the one call the
 * function makes (IAM API Reference, "ListUserTags"; an unknown user is 404 NoSuchEntity).
 */
import { randomUUID } from "crypto";
import type * as http from "http";
import { HttpStandIn } from "./httpStandIn";

const NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";

function escapeXml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export class LocalIam extends HttpStandIn {
    /** Each user's tags, by user name. */
    readonly userTags = new Map<string, Record<string, string>>();
    readonly calls: Array<{ action: string; userName: string | null; answeredWith: number }> = [];

    protected handle(_req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): void {
        const form = new URLSearchParams(raw.toString("utf8"));
        const [action, userName] = [form.get("Action") ?? "", form.get("UserName")];
        const reply = (status: number, xml: string) => {
            this.calls.push({ action, userName, answeredWith: status });
            res.writeHead(status, { "content-type": "text/xml" });
            res.end(xml);
        };
        const tags = userName === null ? undefined : this.userTags.get(userName);
        if (action !== "ListUserTags" || tags === undefined) {
            const [code, message] =
                action === "ListUserTags"
                    ? ["NoSuchEntity", `The user with name ${userName ?? ""} cannot be found.`]
                    : ["InvalidAction", `The local stand-in does not implement ${action}.`];
            reply(
                action === "ListUserTags" ? 404 : 400,
                `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
            );
            return;
        }
        const members = Object.entries(tags)
            .map(([key, value]) => `<member><Key>${escapeXml(key)}</Key><Value>${escapeXml(value)}</Value></member>`)
            .join("");
        reply(
            200,
            `<ListUserTagsResponse xmlns="${NAMESPACE}"><ListUserTagsResult><Tags>${members}</Tags><IsTruncated>false</IsTruncated></ListUserTagsResult>` +
                `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></ListUserTagsResponse>`,
        );
    }

    env(): Record<string, string> {
        return { AWS_ENDPOINT_URL_IAM: this.origin };
    }
}
