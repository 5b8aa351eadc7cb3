/**
 * Text from events, made to show literally in Slack and to fit where it is placed. Every value an
 * event, a log event or an alarm carries is chosen by whoever caused it (a user name, a forged
 * record), so it goes through `literal` (mrkdwn) or `plainLiteral` (plain_text) before it is placed.
 */

// Longest text shown for any one event field, counted after escaping (the form Slack measures).
export const MAX_VALUE = 200;

const ELLIPSIS = "…";

// Line breaks, CRLF counted once, shown as one visible mark so a value cannot forge a line.
const LINE_BREAK = /^(?:\r\n|[\n\r\u2028\u2029])/;
const LINE_MARK = "↵";

// Characters a reader cannot see or that reorder what they see: C0 and C1 controls (line breaks
// aside), DEL, soft hyphen, bidi marks, embeddings, overrides and isolates, zero-width characters,
// invisible operators, interlinear annotations, and halves of a surrogate pair without the other
// half. They are shown as [U+XXXX], never dropped: dropped, "adm\u200Bin" would read as "admin".
const INVISIBLE =
    /^(?:[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|[\uDC00-\uDFFF])/;

// A zero-width joiner between two emoji builds one emoji ("👩🏽‍💻"): that one is part of the name.
const EMOJI_BEFORE_JOINER = /(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\uFE0F)$/u;
const EMOJI_AFTER_JOINER = /^\p{Extended_Pictographic}/u;

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;

/**
 * Slack documents escapes for & < > only ("Formatting text for app surfaces", Escaping text); a
 * backslash does not escape mrkdwn. So the characters that format are replaced by look-alikes
 * Slack gives no meaning to: the value reads the same and cannot format. `*`, `~` and backticks
 * never occur in IAM, role or session names, so they are always replaced; `_` is common in those
 * names and is kept between two letters or digits, where Slack does not read it as italics (and a
 * copied role name still matches); `>` quotes only at the start of a line.
 */
const LOOK_ALIKES: Record<string, string> = {
    "*": "\u2217", // ∗ ASTERISK OPERATOR
    "~": "\u223C", // ∼ TILDE OPERATOR
    "`": "\u02CB", // ˋ MODIFIER LETTER GRAVE ACCENT
    _: "\u02CD", // ˍ MODIFIER LETTER LOW MACRON
    ">": "\u02C3", // ˃ MODIFIER LETTER RIGHT ARROWHEAD
};

/**
 * Escapes the three characters Slack treats as control sequences, so event data cannot mention
 * `@channel`, link elsewhere or break formatting.
 */
export function escapeSlack(value: string): string {
    return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// What continues the character before it: a combining mark (Japanese dakuten U+3099 included), a
// variation selector, an emoji modifier. A cut before one of these would split what a reader sees
// as one character.
const CONTINUES = /^[\p{M}\p{Emoji_Modifier}]/u;

/** True when value[at] is a U+200D joining the emoji before it to the emoji after it. */
function joinsEmoji(value: string, at: number): boolean {
    return (
        value[at] === "\u200D" &&
        EMOJI_BEFORE_JOINER.test(value.slice(Math.max(0, at - 2), at)) &&
        EMOJI_AFTER_JOINER.test(value.slice(at + 1, at + 3))
    );
}

/** True when a cut at `at` (before value[at]) lands inside a character as a reader sees it. */
function insideCharacter(value: string, at: number): boolean {
    const next = value.slice(at, at + 2);
    return (
        /^[\uDC00-\uDFFF]/.test(next) ||
        CONTINUES.test(next) ||
        (value[at - 1] === "\u200D" && EMOJI_AFTER_JOINER.test(next)) ||
        (next.startsWith("\u200D") && EMOJI_BEFORE_JOINER.test(value.slice(Math.max(0, at - 2), at)))
    );
}

/**
 * Cuts a string to `max` UTF-16 units with an ellipsis, never inside a character as a reader sees
 * it: not between the halves of a surrogate pair, before a combining mark or emoji modifier, or
 * inside an emoji joined with U+200D.
 */
export function clip(value: string, max: number): string {
    if (value.length <= max) {
        return value;
    }
    let end = max - 1;
    while (end > 0 && insideCharacter(value, end)) {
        end -= 1;
    }
    return `${value.slice(0, end)}${ELLIPSIS}`;
}

function marker(unit: string): string {
    return `[U+${unit.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}]`;
}

/**
 * The value as a list of shown pieces, each the output of one input character (or CRLF); a piece
 * is never split, so a cut between pieces never lands inside `&amp;`, a marker or a surrogate pair.
 * Stops once the pieces exceed `budget` units, so a value of any size costs only what is shown.
 */
function pieces(value: string, budget: number, mrkdwn: boolean): string[] {
    const out: string[] = [];
    let length = 0;
    let i = 0;
    while (i < value.length && length <= budget) {
        const rest = value.slice(i, i + 2);
        const lineBreak = LINE_BREAK.exec(rest);
        let piece: string;
        let used: number;
        if (lineBreak) {
            piece = LINE_MARK;
            used = lineBreak[0].length;
        } else if (joinsEmoji(value, i)) {
            piece = "\u200D";
            used = 1;
        } else if (INVISIBLE.test(rest)) {
            piece = marker(rest);
            used = 1;
        } else {
            const char = String.fromCodePoint(value.codePointAt(i)!);
            used = char.length + continuation(value, i + char.length, budget);
            piece = (mrkdwn ? mrkdwnPiece(value, i, char) : char) + value.slice(i + char.length, i + used);
        }
        out.push(piece);
        length += piece.length;
        i += used;
    }
    return out;
}

function mrkdwnPiece(value: string, i: number, char: string): string {
    const alike = LOOK_ALIKES[char];
    if (alike === undefined) {
        return escapeSlack(char);
    }
    if (char === "_" && LETTER_OR_DIGIT.test(value[i - 1] ?? "") && LETTER_OR_DIGIT.test(value[i + 1] ?? "")) {
        return char;
    }
    if (char === ">" && !/^\s*$/.test(value.slice(0, i))) {
        return escapeSlack(char);
    }
    return alike;
}

/**
 * How many units from `from` continue the character before it (combining marks, variation
 * selectors, emoji modifiers, and emoji joined by U+200D), so they join its piece and no cut
 * separates them. Stops past `budget`: such a piece is dropped whole.
 */
function continuation(value: string, from: number, budget: number): number {
    let at = from;
    while (at - from <= budget && at < value.length) {
        const next = value.slice(at, at + 3);
        const mark = CONTINUES.exec(next);
        if (mark) {
            at += mark[0].length;
        } else if (joinsEmoji(value, at)) {
            at += 1 + String.fromCodePoint(value.codePointAt(at + 1)!).length;
        } else {
            break;
        }
    }
    return at - from;
}

function fit(shown: string[], max: number): string {
    let length = 0;
    for (const [n, piece] of shown.entries()) {
        if (length + piece.length > max) {
            // Back off until the ellipsis fits too.
            let kept = n;
            while (kept > 0 && length + ELLIPSIS.length > max) {
                kept -= 1;
                length -= shown[kept]!.length;
            }
            return shown.slice(0, kept).join("") + ELLIPSIS;
        }
        length += piece.length;
    }
    return shown.join("");
}

/**
 * An attacker-controlled value for a mrkdwn text object: & < > escaped, formatting characters
 * replaced by look-alikes, line breaks shown as ↵, invisible and bidi characters as [U+XXXX], and
 * at most `max` UTF-16 units long after all of that. Put it in a text object with `verbatim: true`,
 * so Slack does not turn URLs or channel names in it into links.
 */
export function literal(value: unknown, max = MAX_VALUE): string {
    const text = String(value ?? "");
    // Printable ASCII but & < > and the formatting characters * ~ ` _ shows as it is: most values
    // (addresses, regions, most names) need none of the work below.
    if (text.length <= max && /^[\x20-\x25\x27-\x29\x2B-\x3B\x3D\x3F-\x5E\x61-\x7D]*$/.test(text)) {
        return text;
    }
    return fit(pieces(text, max, true), max);
}

/**
 * An attacker-controlled value for a plain_text object, which Slack neither parses nor formats:
 * line breaks shown as ↵, invisible and bidi characters as [U+XXXX], at most `max` units long.
 * Give the object `emoji: false`, or ":name:" in the value becomes an emoji.
 */
export function plainLiteral(value: unknown, max = MAX_VALUE): string {
    const text = String(value ?? "");
    // Printable ASCII shows as it is in plain text.
    if (text.length <= max && /^[\x20-\x7E]*$/.test(text)) {
        return text;
    }
    return fit(pieces(text, max, false), max);
}
