/**
 * Runs a handful of fixture sign-ins through the serialized handler, against local stand-ins for
 * Slack and AWS, and renders the Slack messages as a channel would show them.
 */
import * as fs from "fs";
import { fixture } from "./fixtures";
import { invokeInChild, unpackFunction } from "./local/deployedFunction";
import { LocalAws } from "./local/localAws";
import { LocalSlack } from "./local/localSlack";
import type { OfflineRun } from "./offlineEngine";

const SAMPLES = ["iam-user-mfa", "iam-user-no-mfa", "root-mfa", "failure-unknown-user", "sso-assumed-role", "switch-role"];

interface Payload {
    text: string;
    blocks: Array<{ type: string; text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<{ text: string }> }>;
}

/** Slack's mrkdwn as a terminal shows it: bold markers dropped, links as "label (url)", entities decoded. */
function plain(mrkdwn: string): string {
    return mrkdwn
        .replace(/<(https?:[^|>]+)\|([^>]+)>/g, "$2 ($1)")
        .replace(/\*([^*\n]+)\*/g, "$1")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&amp;/g, "&");
}

export function renderMessage(payload: Payload): string {
    const lines: string[] = [];
    for (const block of payload.blocks) {
        if (block.type === "header" && block.text) {
            lines.push(`┃ ${block.text.text}`);
        } else if (block.type === "section") {
            if (block.text) {
                lines.push(`┃ ${plain(block.text.text)}`);
            }
            for (const f of block.fields ?? []) {
                const [label, value] = f.text.split("\n");
                lines.push(`┃     ${plain(label ?? "").padEnd(14)} ${plain(value ?? "")}`);
            }
        } else if (block.type === "context") {
            lines.push(`┃ ${(block.elements ?? []).map((e) => plain(e.text)).join(" ")}`);
        }
    }
    return lines.join("\n");
}

export async function sampleMessages(run: OfflineRun): Promise<{ rendered: string; sent: number }> {
    const fn = unpackFunction(run);
    const slack = await new LocalSlack().start();
    const aws = await new LocalAws().start();
    try {
        aws.parameters.set(fn.environment["WEBHOOK_PARAMETER_NAME"]!, { type: "SecureString", value: slack.url });
        await aws.resetTable(fn.environment["STATE_TABLE_NAME"]!);
        for (const name of SAMPLES) {
            aws.logEvents.push({
                logGroupName: fn.environment["TRAIL_LOG_GROUP_NAME"]!,
                timestamp: Date.now() - 120000,
                message: JSON.stringify(fixture(`cloudtrail_${name}`)),
            });
        }
        const result = await invokeInChild(fn, [fixture("events_scheduled-sweep")], { env: { ...aws.env(), MIN_POST_INTERVAL_MS: "0" } });
        if (!result.results[0]?.ok) {
            throw new Error(`the serialized handler failed: ${JSON.stringify(result.results[0]?.error ?? result.stderr)}`);
        }
        const rendered = slack.accepted.map((p) => renderMessage(p as Payload)).join("\n\n");
        return { rendered, sent: slack.accepted.length };
    } finally {
        await slack.stop();
        await aws.stop();
        fs.rmSync(fn.dir, { recursive: true, force: true });
        fs.rmSync(fn.runtimeModules, { recursive: true, force: true });
    }
}
