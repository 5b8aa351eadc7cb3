/** The watch list's table in docs/tamper-evident.md, from program/watchList.ts, its one place. */
import { BUILT_IN_RULES } from "../../program/rules";
import { tamperingPattern, TAMPERING_RULE_IDS, WATCH_LIST, type WatchEntry } from "../../program/watchList";
import { section, type Generated } from "./sections";

function row(entry: WatchEntry): string {
    const types = entry.types.map((t) => `\`${t.split(":")[1]}\``).join(", ");
    const calls = entry.calls.map((c) => `\`${c}\``).join(", ");
    const named = entry.names ? `\`${entry.names.parameter}\` = \`${entry.names.value}\`` : "any";
    return `| ${types} | ${calls} | ${named} | \`${entry.rule}\` | ${entry.why ?? ""} |`;
}

/** The generated part of the document: the table, and each rule's pattern length. */
function watchListTable(): string {
    const lengths = TAMPERING_RULE_IDS.map((id) => `\`${id}\` ${tamperingPattern(id).length}`).join(", ");
    return [
        "| resources | calls (CloudTrail event names; `*` any text) | this stack's, by | rule | why |",
        "| --- | --- | --- | --- | --- |",
        ...WATCH_LIST.map(row),
        "",
        `Pattern lengths, of CloudWatch Logs' 1,024 characters: ${lengths}. Severity: ${TAMPERING_RULE_IDS.map((id) => `\`${id}\` ${BUILT_IN_RULES[id].severity}`).join(", ")}.`,
    ].join("\n");
}

export const WATCH_LIST_DOC: Generated = section("docs/tamper-evident.md", "watch-list", "program/watchList.ts", watchListTable);
