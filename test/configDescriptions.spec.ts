/**
 * Pulumi.yaml's descriptions, from which docs/configuration.md is generated: every example in them
 * is valid JSON (or a filter pattern the program can read) and is accepted for its key, and every
 * range they state is the one the program enforces, probed at and around each figure it names.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, readStackSettings } from "../program/settings";
import { filterPatternProblem } from "../shared/filterPattern";
import { configKeys, splitRange } from "../tools/generate/configuration";
import { CONFIRM_ON, SECRET_KEYS } from "./support/program";

const KEYS = configKeys(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8"));
const WEBHOOK = "https://hooks.slack.com/services/T0TEST000/B0TEST000/XXXXXXXXXXXXXXXX";

/** Whether the program takes `value` for the key, everything else at its default. */
// What a key's description says it needs besides itself.
const NEEDS: Record<string, Record<string, string>> = {
    organization: { organizationTrail: "true" },
    confirm: CONFIRM_ON,
    confirmUsers: CONFIRM_ON,
};

function accepts(name: string, value: string): boolean {
    const values: Record<string, string> = { slackWebhookUrl: WEBHOOK, ...NEEDS[name], [name]: value };
    try {
        readStackSettings({ get: (k) => values[k], isSecret: (k) => (SECRET_KEYS as readonly string[]).includes(k) });
        return true;
    } catch (error) {
        if (error instanceof ConfigError) {
            return false;
        }
        throw error;
    }
}

function codeSpans(text: string): string[] {
    return [...text.matchAll(/`([^`]*)`/g)].map((m) => m[1]!);
}

/** A CloudWatch Logs JSON filter pattern starts with `{`, then a selector or a parenthesis. */
function isFilterPattern(span: string): boolean {
    return /^\{\s*[($]/.test(span);
}

/** The JSON examples of a description: its code spans that start like an object or a list and are no filter pattern. */
function jsonExamples(description: string): string[] {
    return codeSpans(description).filter((span) => /^[[{]/.test(span) && !isFilterPattern(span));
}

/**
 * What a stated integer range allows. The forms the descriptions use: "15 to 1440", "at least 1",
 * "one of 1, 3, 5", "a multiple of 60 from 60 to 604800", "a multiple of 60 up to 10080", and a
 * list of those ending in "or"; parenthesized remarks are not part of the range.
 */
function rangePredicate(range: string): (n: number) => boolean {
    const text = range.replace(/\s*\([^)]*\)/g, "").trim();
    const oneOf = /^one of ([\d, ]+)$/.exec(text);
    if (oneOf) {
        const values = oneOf[1]!.split(",").map((v) => Number(v.trim()));
        return (n) => values.includes(n);
    }
    const alternatives = text.split(/,? or |, /).map((alternative): ((n: number) => boolean) => {
        let m: RegExpExecArray | null;
        if ((m = /^(\d+)$/.exec(alternative))) {
            const value = Number(m[1]);
            return (n) => n === value;
        }
        if ((m = /^(\d+) to (\d+)$/.exec(alternative))) {
            const [low, high] = [Number(m[1]), Number(m[2])];
            return (n) => n >= low && n <= high;
        }
        if ((m = /^at least (\d+)$/.exec(alternative))) {
            const low = Number(m[1]);
            return (n) => n >= low;
        }
        if ((m = /^a multiple of (\d+) from (\d+) to (\d+)$/.exec(alternative))) {
            const [step, low, high] = [Number(m[1]), Number(m[2]), Number(m[3])];
            return (n) => n % step === 0 && n >= low && n <= high;
        }
        if ((m = /^a multiple of (\d+) up to (\d+)$/.exec(alternative))) {
            const [step, high] = [Number(m[1]), Number(m[2])];
            return (n) => n % step === 0 && n >= step && n <= high;
        }
        throw new Error(`a range this test cannot read: ${JSON.stringify(alternative)} in ${JSON.stringify(range)}`);
    });
    return (n) => alternatives.some((allows) => allows(n));
}

/** Every figure a range names, one either side of it, and the points halfway between figures (and one past them). */
function probes(range: string): number[] {
    const figures = [...new Set([0, ...[...range.matchAll(/\d+/g)].map((m) => Number(m[0]))])].sort((a, b) => a - b);
    const halfway = figures.slice(1).map((high, i) => Math.floor((figures[i]! + high) / 2));
    return [...new Set([-1, ...figures.flatMap((f) => [f - 1, f, f + 1]), ...halfway, ...halfway.map((h) => h + 1)])];
}

describe("Pulumi.yaml's descriptions", function () {
    it("describe every key", function () {
        assert.deepStrictEqual(
            KEYS.filter(([, spec]) => !spec.description?.trim()).map(([name]) => name),
            [],
        );
    });

    it("write examples, values and Slack's markup in backticks, where Markdown leaves them as they are", function () {
        for (const [name, spec] of KEYS) {
            const prose = (spec.description ?? "").replace(/`[^`]*`/g, "");
            assert.doesNotMatch(prose, /[{}[\]<>*]/, name);
        }
    });

    for (const [name, spec] of KEYS) {
        for (const example of jsonExamples(spec.description ?? "")) {
            it(`give ${name} an example that is valid JSON: ${example}`, function () {
                assert.doesNotThrow(() => JSON.parse(example), `not JSON: ${example}`);
            });

            if (spec.type === "object" || spec.type === "array") {
                it(`give ${name} an example the program accepts: ${example}`, function () {
                    assert.ok(accepts(name, example), `${name} = ${example} is refused`);
                });
            }
        }
        for (const span of codeSpans(spec.description ?? "").filter(isFilterPattern)) {
            it(`give ${name} a filter pattern the function's parser reads: ${span}`, function () {
                assert.strictEqual(filterPatternProblem(span), undefined);
            });
        }
    }

    it("find JSON examples where they are: customRules, mentions, accountLabels, allowList, fastPathRegions, newNetworkSeverity, tags, organization, confirm, confirmUsers", function () {
        assert.deepStrictEqual(
            KEYS.filter(([, spec]) => jsonExamples(spec.description ?? "").length > 0).map(([name]) => name),
            [
                "customRules",
                "mentions",
                "accountLabels",
                "allowList",
                "fastPathRegions",
                "newNetworkSeverity",
                "tags",
                "organization",
                "confirm",
                "confirmUsers",
            ],
        );
    });

    for (const [name, spec] of KEYS.filter(([, s]) => s.type === "integer")) {
        it(`state the range of ${name} that the program enforces`, function () {
            const { range } = splitRange(spec.description ?? "");
            assert.ok(range, `${name} states no range: end its description with "Range: …."`);
            const allows = rangePredicate(range);
            for (const n of probes(range)) {
                assert.strictEqual(accepts(name, String(n)), allows(n), `${name} = ${n}: the description says ${allows(n) ? "yes" : "no"}`);
            }
        });
    }

    it("state the number of custom rules and tags the program takes", function () {
        const most = (name: string) =>
            Number(/^at most (\d+)/.exec(splitRange(KEYS.find(([k]) => k === name)![1].description ?? "").range ?? "")?.[1]);
        const rules = (count: number) =>
            JSON.stringify(
                Array.from({ length: count }, (_, i) => ({ id: `custom-${i}`, pattern: '{ $.eventName = "X" }', severity: "info" })),
            );
        const tags = (count: number) => JSON.stringify(Object.fromEntries(Array.from({ length: count }, (_, i) => [`tag-${i}`, "x"])));
        assert.deepStrictEqual(
            [accepts("customRules", rules(most("customRules"))), accepts("customRules", rules(most("customRules") + 1))],
            [true, false],
        );
        assert.deepStrictEqual([accepts("tags", tags(most("tags"))), accepts("tags", tags(most("tags") + 1))], [true, false]);
    });
});
