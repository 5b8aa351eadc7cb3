/** Text from events, bounded before it is stored: keys and ids an intruder can make as long as a log event. */

// Half of DynamoDB's 2,048-byte partition key limit leaves room for the key's kind and rule.
const TEXT_BYTES_MAX = 1024;

/** `text` itself when it is short, else `sha256:<hex>` of it: a bounded stand-in that is still unique. */
export function boundedText(text: string, maxBytes = TEXT_BYTES_MAX): string {
    if (Buffer.byteLength(text) <= maxBytes) {
        return text;
    }
    // Required here, on the rare long text: most invocations never load it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createHash } = require("crypto") as typeof import("crypto");
    return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}
