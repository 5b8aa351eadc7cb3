/**
 * The Slack app of "Was this you?" in memory, for the in-process tests: a workspace's people by
 * email, its channels' messages as last posted or updated, the replies to clicks, and failures to
 * script. The deployed function's tests use tools/local/localSlackApi.ts instead.
 */
import type { SlackApp } from "../../handler/deliver/slackApp";
import type { MessageContent, MessageRef, SlackApi } from "../../handler/deliver/slackApi";
import type { EphemeralReply } from "../../handler/decide/questionMessages";

export interface KeptMessage extends MessageRef, MessageContent {
    updates: number;
}

export class FakeSlackApp implements SlackApp {
    readonly people = new Map<string, string>();
    readonly messages: KeptMessage[] = [];
    readonly replies: Array<{ url: string; reply: EphemeralReply }> = [];
    readonly calls: string[] = [];
    /** Errors thrown by the next calls of a method, in order. */
    readonly failures = new Map<string, Error[]>();
    private nextTs = 1716282000;

    constructor(readonly team = "T0123ABCDEF") {}

    private fail(method: string): void {
        this.calls.push(method);
        const err = this.failures.get(method)?.shift();
        if (err) {
            throw err;
        }
    }

    api(): SlackApi {
        return {
            lookupByEmail: async (email) => {
                this.fail("users.lookupByEmail");
                const userId = this.people.get(email);
                return userId ? { found: true, userId } : { found: false };
            },
            postMessage: async ({ channel, text, blocks }) => {
                this.fail("chat.postMessage");
                // A direct message lands in the app's DM channel with that person, D… for U….
                const ref = { channel: channel.startsWith("U") ? `D${channel.slice(1)}` : channel, ts: `${this.nextTs++}.000100` };
                this.messages.push({ ...ref, text, ...(blocks ? { blocks } : {}), updates: 0 });
                return ref;
            },
            update: async ({ channel, ts, text, blocks }) => {
                this.fail("chat.update");
                const kept = this.messages.find((m) => m.channel === channel && m.ts === ts);
                if (!kept) {
                    throw Object.assign(new Error("Slack's chat.update answered message_not_found."), {
                        name: "SlackApiError",
                        slackError: "message_not_found",
                    });
                }
                Object.assign(kept, { text, blocks, updates: kept.updates + 1 });
                return { channel, ts };
            },
            authTest: async () => {
                this.fail("auth.test");
                return { teamId: this.team };
            },
        };
    }

    async teamId(): Promise<string> {
        return (await this.api().authTest()).teamId;
    }

    async reply(url: string, reply: EphemeralReply): Promise<void> {
        this.fail("response_url");
        this.replies.push({ url, reply });
    }

    /** The last text block of a message: its state line, for the channel's messages. */
    lastLine(message: KeptMessage): string | undefined {
        const last = (message.blocks ?? []).at(-1) as { elements?: Array<{ text?: string }> } | undefined;
        return last?.elements?.[0]?.text;
    }
}
