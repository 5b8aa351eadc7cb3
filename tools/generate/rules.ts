/** What program/rules/ generates: the catalogs' titles, the rules tables of docs/rules.md and docs/rules.ja.md, Pulumi.yaml's list of ids. */
import { routeOf } from "../../program/fastPathPatterns";
import { RULE_DEFINITIONS, type RuleDefinition } from "../../program/rules";
import { LANGUAGES, type Language } from "../../shared/contract";
import { section, wholeModule, yamlDescription, type Generated } from "./sections";

const SOURCE = "program/rules/";

function titlesIn(language: Language): Record<string, string> {
    return Object.fromEntries(RULE_DEFINITIONS.map((d: RuleDefinition) => [d.id, d.titles[language]]));
}

/** The function's catalogs take their rule titles from here: a small module, not the definitions, is bundled into its code. */
function ruleTitlesModule(): string {
    const byLanguage = Object.fromEntries(LANGUAGES.map((language) => [language, titlesIn(language)]));
    return [
        "/** Each built-in rule's title, in every language the function speaks. */",
        `export const RULE_TITLES = ${JSON.stringify(byLanguage, null, 4)} as const;`,
        "",
        "/** A title for each built-in rule. */",
        'export type BuiltInTitles = Record<keyof (typeof RULE_TITLES)["en"], string>;',
        "",
    ].join("\n");
}

const SEVERITY_JA = { info: "情報", high: "高", critical: "重大" } as const;

/** How fast a rule's events arrive: within seconds by EventBridge, or by the CloudWatch Logs backstop only, and why. */
function arrival(d: RuleDefinition, language: Language): string {
    const route = routeOf(d);
    if ("backstopOnly" in route) {
        return language === "ja" ? `数分（CloudWatch Logs のみ）: ${route.backstopOnly}` : `minutes: ${route.backstopOnly}`;
    }
    return language === "ja" ? "数秒" : "seconds";
}

function rulesTable(): string {
    return [
        "| id | severity | arrives in | what it reports |",
        "| --- | --- | --- | --- |",
        ...RULE_DEFINITIONS.map((d: RuleDefinition) => `| \`${d.id}\` | ${d.severity} | ${arrival(d, "en")} | ${d.summary.en} |`),
    ].join("\n");
}

function rulesTableJa(): string {
    return [
        "| 通知 | id | 重大度 | 届くまで | 意味と対応 |",
        "| --- | --- | --- | --- | --- |",
        ...RULE_DEFINITIONS.map(
            (d: RuleDefinition) => `| ${d.titles.ja} | \`${d.id}\` | ${SEVERITY_JA[d.severity]} | ${arrival(d, "ja")} | ${d.summary.ja} |`,
        ),
    ].join("\n");
}

function disabledRulesDescription(): string {
    return `Built-in rules to switch off: ${RULE_DEFINITIONS.map((d: RuleDefinition) => d.id).join(", ")}.`;
}

export const RULES_GENERATED: readonly Generated[] = [
    wholeModule("handler/decide/catalog/ruleTitles.ts", SOURCE, ruleTitlesModule),
    section("docs/rules.md", "rules", SOURCE, rulesTable),
    section("docs/rules.ja.md", "rules", SOURCE, rulesTableJa),
    yamlDescription("Pulumi.yaml", "disabledRules", disabledRulesDescription),
];
