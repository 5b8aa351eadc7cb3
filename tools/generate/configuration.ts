/**
 * docs/configuration.md's reference of every key, from Pulumi.yaml's `config:` block, its one place:
 * each key's type, default, range and description. A description ends with its range, as the
 * sentence `Range: …`, when the program limits the value further than its type does.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { REPO_ROOT } from "../repoRoot";
import { section, type Generated } from "./sections";

const PROJECT_FILE = "Pulumi.yaml";

export interface ConfigKey {
    type: string;
    items?: { type: string };
    secret?: boolean;
    default?: unknown;
    description?: string;
}

/** Pulumi.yaml's keys, in the file's order. */
export function configKeys(projectText: string): Array<[string, ConfigKey]> {
    const project = yaml.load(projectText) as { config: Record<string, ConfigKey> };
    return Object.entries(project.config);
}

/** A description split into what the key is for and the range its value must be in, if it states one. */
export function splitRange(description: string): { text: string; range?: string } {
    const at = description.lastIndexOf(" Range: ");
    if (at < 0) {
        return { text: description };
    }
    return { text: description.slice(0, at).trim(), range: description.slice(at + " Range: ".length).replace(/\.$/, "") };
}

function typeOf(spec: ConfigKey): string {
    const type = spec.type === "array" && spec.items ? `array of ${spec.items.type}` : spec.type;
    return spec.secret ? `${type}, secret` : type;
}

function defaultOf(spec: ConfigKey): string {
    return spec.default === undefined ? "none (required)" : `\`${JSON.stringify(spec.default)}\``;
}

/** A table cell: a `|` inside one must be escaped; remarks in parentheses are left to the key's own section. */
function cell(text: string): string {
    return text.replace(/ \([^()]*\)/g, "").replace(/\|/g, "\\|");
}

function reference(projectText: string): string {
    const keys = configKeys(projectText).map(([name, spec]) => ({ name, spec, ...splitRange(spec.description ?? "") }));
    const table = [
        "| key | type | default | range |",
        "| --- | --- | --- | --- |",
        ...keys.map(({ name, spec, range }) => {
            const shown = defaultOf(spec);
            const anchor = `#${name.toLowerCase()}`;
            return `| [\`${name}\`](${anchor}) | ${typeOf(spec)} | ${spec.default === undefined ? "required" : shown.length > 40 ? `[below](${anchor})` : shown.replace(/\|/g, "\\|")} | ${cell(range ?? "—")} |`;
        }),
    ];
    const sections = keys.flatMap(({ name, spec, text, range }) => [
        `### \`${name}\``,
        "",
        `Type: ${typeOf(spec)}. Default: ${defaultOf(spec)}.${range ? ` Range: ${range}.` : ""}`,
        "",
        text,
        "",
    ]);
    return [...table, "", ...sections].join("\n").trimEnd();
}

/**
 * The reference, from Pulumi.yaml as `npm run docs` leaves it: the outputs that write into
 * Pulumi.yaml (its list of rule ids) are applied first, so one run writes both files current.
 */
export function configurationReference(generated: () => readonly Generated[]): Generated {
    return section("docs/configuration.md", "configuration", PROJECT_FILE, async () => {
        let text = fs.readFileSync(path.join(REPO_ROOT, PROJECT_FILE), "utf8");
        for (const output of generated().filter((g) => g.file === PROJECT_FILE)) {
            text = await output.render(text);
        }
        return reference(text);
    });
}
