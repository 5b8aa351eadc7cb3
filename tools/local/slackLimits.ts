/**
 * What Slack checks of a message posted through an incoming webhook: the documented Block Kit
 * limits and the answers Slack gives a payload that breaks them. The local webhook (localSlack.ts)
 * answers with `validateWebhookPayload` unless a test scripts otherwise.
 */

/**
 * Slack's documented limits for a message posted through an incoming webhook, from the Block Kit
 * reference (docs.slack.dev/reference/block-kit):
 * - blocks: "You can include up to 50 blocks in each message" (…/block-kit/blocks);
 * - header block: text is a plain_text object, "Maximum length for the text in this field is 150
 *   characters" (…/blocks/header-block);
 * - section block: text "Maximum length … is 3000 characters. This field is not required if a valid
 *   array of fields objects is provided instead"; fields "Required if no text is provided …
 *   Maximum number of items is 10. Maximum length for the text in each item is 2000 characters"
 *   (…/blocks/section-block);
 * - context block: elements "Maximum number of items is 10" (…/blocks/context-block);
 * - every block: block_id "Maximum length for this field is 255 characters";
 * - text object: type "Can be one of plain_text or mrkdwn"; text "The minimum length is 1 and
 *   maximum length is 3000 characters" (…/composition-objects/text-object);
 * - top-level text: longer than 40,000 characters is truncated, not refused (api.slack.com
 *   changelog 2018-04 "Truncating really long messages").
 * The same figures are in the doc comments of @slack/types (block-kit/blocks.ts,
 * block-kit/composition-objects.ts).
 *
 * Slack's pages say "characters" without defining them. The stand-in counts UTF-16 code units
 * (String#length), which is never fewer than code points: a message it accepts is within the
 * limits under either reading, and handler/decide/messages.ts clips by the same measure.
 */
export const SLACK_BLOCK_LIMITS = {
    blocksPerMessage: 50,
    blockIdChars: 255,
    headerTextChars: 150,
    sectionTextChars: 3000,
    sectionFields: 10,
    sectionFieldChars: 2000,
    contextElements: 10,
    textObjectMinChars: 1,
    textObjectMaxChars: 3000,
    /** Beyond this Slack truncates the top-level text; it does not refuse the message. */
    messageTextTruncatedAfter: 40000,
} as const;

/** How the stand-in counts a string against the limits: UTF-16 code units. */
export function slackLength(text: string): number {
    return text.length;
}

const TEXT_TYPES = ["plain_text", "mrkdwn"];

/** The problem with a text object, or undefined when it is valid. `maxChars` is the tighter limit of where it sits. */
function textObjectProblem(where: string, value: unknown, maxChars: number, plainOnly = false): string | undefined {
    if (typeof value !== "object" || value === null) {
        return `${where} is not a text object`;
    }
    const { type, text } = value as { type?: unknown; text?: unknown };
    if (typeof type !== "string" || !TEXT_TYPES.includes(type)) {
        return `${where}.type is ${JSON.stringify(type)}, not plain_text or mrkdwn`;
    }
    if (plainOnly && type !== "plain_text") {
        return `${where}.type must be plain_text`;
    }
    if (typeof text !== "string") {
        return `${where}.text is not a string`;
    }
    const length = slackLength(text);
    if (length < SLACK_BLOCK_LIMITS.textObjectMinChars) {
        return `${where}.text is empty`;
    }
    const max = Math.min(maxChars, SLACK_BLOCK_LIMITS.textObjectMaxChars);
    if (length > max) {
        return `${where}.text is ${length} characters, more than ${max}`;
    }
    return undefined;
}

/**
 * The problem with a block's list of text objects (a section's `fields`, a context's `elements`),
 * or undefined when it is valid: a non-empty array of at most `maxItems` valid text objects.
 */
function textObjectsProblem(
    where: string,
    key: "fields" | "elements",
    items: unknown,
    maxItems: number,
    maxChars: number,
): string | undefined {
    if (!Array.isArray(items) || items.length === 0) {
        return `${where}.${key} is not a non-empty array`;
    }
    if (items.length > maxItems) {
        return `${where} has ${items.length} ${key}, more than ${maxItems}`;
    }
    for (const [j, item] of items.entries()) {
        const problem = textObjectProblem(`${where}.${key}[${j}]`, item, maxChars);
        if (problem) {
            return problem;
        }
    }
    return undefined;
}

function sectionProblem(where: string, b: Record<string, unknown>): string | undefined {
    if (b["text"] === undefined && b["fields"] === undefined) {
        return `${where} has neither text nor fields`;
    }
    if (b["text"] !== undefined) {
        const problem = textObjectProblem(`${where}.text`, b["text"], SLACK_BLOCK_LIMITS.sectionTextChars);
        if (problem) {
            return problem;
        }
    }
    if (b["fields"] !== undefined) {
        return textObjectsProblem(where, "fields", b["fields"], SLACK_BLOCK_LIMITS.sectionFields, SLACK_BLOCK_LIMITS.sectionFieldChars);
    }
    return undefined;
}

function contextProblem(where: string, b: Record<string, unknown>): string | undefined {
    // Context blocks also take image elements; this project never sends one.
    return textObjectsProblem(where, "elements", b["elements"], SLACK_BLOCK_LIMITS.contextElements, SLACK_BLOCK_LIMITS.textObjectMaxChars);
}

function blockProblem(block: unknown, i: number): string | undefined {
    const where = `blocks[${i}]`;
    if (typeof block !== "object" || block === null) {
        return `${where} is not an object`;
    }
    const b = block as Record<string, unknown>;
    if (b["block_id"] !== undefined) {
        if (typeof b["block_id"] !== "string" || slackLength(b["block_id"]) > SLACK_BLOCK_LIMITS.blockIdChars) {
            return `${where}.block_id is longer than ${SLACK_BLOCK_LIMITS.blockIdChars} characters or not a string`;
        }
    }
    switch (b["type"]) {
        case "header":
            return textObjectProblem(`${where}.text`, b["text"], SLACK_BLOCK_LIMITS.headerTextChars, true);
        case "section":
            return sectionProblem(where, b);
        case "context":
            return contextProblem(where, b);
        case "divider":
            return undefined;
        default:
            // Other block types exist; this project sends none, so any other type here is a mistake.
            return `${where}.type ${JSON.stringify(b["type"])} is not a block type this stand-in knows`;
    }
}

/** Slack's answer to a webhook POST body: 200 "ok", or 400 with Slack's error string and the reason. */
export function validateWebhookPayload(raw: string): { status: number; body: string; reason?: string } {
    let payload: unknown;
    try {
        payload = JSON.parse(raw);
    } catch {
        return { status: 400, body: "invalid_payload", reason: "the body is not JSON" };
    }
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
        return { status: 400, body: "invalid_payload", reason: "the body is not a JSON object" };
    }
    const { text, blocks } = payload as { text?: unknown; blocks?: unknown };
    if (text !== undefined && typeof text !== "string") {
        return { status: 400, body: "invalid_payload", reason: "text is not a string" };
    }
    if (blocks !== undefined && !Array.isArray(blocks)) {
        return { status: 400, body: "invalid_blocks_format", reason: "blocks is not an array" };
    }
    const hasText = typeof text === "string" && text !== "";
    if (!hasText && (blocks === undefined || blocks.length === 0)) {
        return { status: 400, body: "no_text", reason: "neither text nor blocks" };
    }
    if (blocks !== undefined) {
        if (blocks.length > SLACK_BLOCK_LIMITS.blocksPerMessage) {
            return {
                status: 400,
                body: "invalid_blocks",
                reason: `${blocks.length} blocks, more than ${SLACK_BLOCK_LIMITS.blocksPerMessage}`,
            };
        }
        for (const [i, block] of blocks.entries()) {
            const problem = blockProblem(block, i);
            if (problem) {
                return { status: 400, body: "invalid_blocks", reason: problem };
            }
        }
    }
    return { status: 200, body: "ok" };
}
