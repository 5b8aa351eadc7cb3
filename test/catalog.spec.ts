import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { CATALOGS, catalogFor } from "../handler/decide/catalog";
import { EN } from "../handler/decide/catalog/en";
import { BUILT_IN_RULE_IDS } from "../program/rules";
import { LANGUAGES } from "../shared/contract";

/** Every entry of a catalog as "path: kind/arity", so two catalogs compare entry by entry. */
function entries(value: unknown, at = ""): string[] {
    if (typeof value === "function") {
        return [`${at}: function/${value.length}`];
    }
    if (value && typeof value === "object" && !Array.isArray(value)) {
        return Object.keys(value)
            .sort()
            .flatMap((key) => entries((value as Record<string, unknown>)[key], at ? `${at}.${key}` : key));
    }
    return [`${at}: ${Array.isArray(value) ? "array" : typeof value}`];
}

// The builders: every word they place comes from a catalog.
const BUILDERS = [
    "handler/decide/messages.ts",
    "handler/decide/reports.ts",
    "handler/decide/fallbacks.ts",
    "handler/decide/driftReports.ts",
];

/**
 * The string literals of the builders that contain a word, each classified here as what it is: a
 * Block Kit or Intl token, a value the code compares with, a URL part or a product name. None is
 * wording; a literal added to a builder fails this test until it is moved to the catalogs or
 * classified.
 */
const NOT_WORDING: Record<string, string> = {
    header: "Block Kit block type",
    section: "Block Kit block type",
    context: "Block Kit block type",
    mrkdwn: "Block Kit text type",
    plain_text: "Block Kit text type",
    ConsoleLogin: "CloudTrail event name, compared",
    UserAuthentication: "IAM Identity Center event name, compared",
    Failure: "SignIn.result value, compared",
    No: "SignIn.mfa value, compared",
    OK: "CloudWatch alarm state, compared",
    PASSWORD: "IAM Identity Center credential type, compared",
    EXTERNAL_IDP: "IAM Identity Center credential type, compared",
    known: "Presentation.variant, compared",
    root: "PrincipalName.kind, compared",
    name: "PrincipalName.kind, compared",
    "role-session": "PrincipalName.kind, compared",
    federated: "PrincipalName.kind, compared",
    "hidden-user": "PrincipalName.kind, compared",
    unknown: "PrincipalName.kind, compared",
    IAMUser: "CloudTrail identity type, compared",
    healthy: "TrailHealth.kind, compared",
    stopped: "TrailHealth.kind, compared",
    "logs-error": "TrailHealth.kind, compared",
    "s3-error": "TrailHealth.kind, compared",
    stale: "TrailHealth.kind, compared",
    unreadable: "TrailHealth.kind, compared",
    critical: "severity the heartbeat takes",
    high: "severity of the drift check's failing notice",
    running: "DriftProblem.kind, compared",
    ended: "DriftProblem.kind, compared",
    partial: "DriftProblem.kind, compared",
    busy: "DriftProblem.kind, compared",
    error: "DriftProblem.kind, compared",
    drifted: "DriftNews.kind, compared",
    failing: "DriftNews.kind, compared",
    "in-sync": "DriftNews.kind, compared",
    working: "DriftNews.kind, compared",
    ":white_check_mark: ": "emoji shortcode",
    en: "language of callers that name none",
    "new-network": "Presentation.variant, compared",
    UTC: "time zone of the operators' emails, as in the logs",
    "us-east-1": "region of the CloudTrail link when the event's is not a region",
    "AWS Console Mobile App": "product name, the same in every language",
    ":information_source:": "emoji shortcode",
    ":warning:": "emoji shortcode",
    ":rotating_light:": "emoji shortcode",
    ":bar_chart: ": "emoji shortcode",
    "https://": "URL of the CloudTrail console",
    ".console.aws.amazon.com/cloudtrailv2/home?region=": "URL of the CloudTrail console",
    "#/events": "URL of the CloudTrail console",
};

/** The text of every string literal and template part in a source file, outside imports and types. */
function literalsOf(file: string): string[] {
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(__dirname, "..", file), "utf8"), ts.ScriptTarget.ES2022, true);
    const found: string[] = [];
    const visit = (node: ts.Node): void => {
        if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || ts.isTypeNode(node)) {
            return;
        }
        if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateLiteralToken(node)) {
            found.push(node.text);
        } else if (ts.isTemplateExpression(node)) {
            found.push(node.head.text, ...node.templateSpans.map((s) => s.literal.text));
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
}

describe("the message catalogs", function () {
    it("has a catalog for every language, each with exactly the English catalog's entries", function () {
        assert.deepStrictEqual(Object.keys(CATALOGS).sort(), [...LANGUAGES].sort());
        // The time style is options for Intl, not wording: its shape is the language's own.
        const words = (language: (typeof LANGUAGES)[number]): string[] => entries({ ...CATALOGS[language], time: undefined });
        for (const language of LANGUAGES) {
            assert.deepStrictEqual(words(language), words("en"), language);
            assert.ok(["sortable", "intl"].includes(CATALOGS[language].time.kind), language);
        }
    });

    it("gives every built-in rule its own title in every language", function () {
        for (const language of LANGUAGES.filter((l) => l !== "en")) {
            const titles = Object.values(CATALOGS[language].signIn.ruleTitles);
            assert.strictEqual(new Set(titles).size, BUILT_IN_RULE_IDS.length, language);
            assert.ok(
                titles.every((t, i) => t !== Object.values(EN.signIn.ruleTitles)[i]),
                language,
            );
        }
    });

    it("keeps SNS subjects English and ASCII in every language, since SNS refuses others", function () {
        for (const language of LANGUAGES) {
            const s = CATALOGS[language].subjects;
            const subjects = [
                s.undelivered("signin-failures", s.events(2)),
                s.gap("root-activity"),
                s.refusedNote("x"),
                s.heartbeat(true, "/aws/x"),
            ];
            assert.deepStrictEqual(
                subjects.filter((subject) => !/^[\x20-\x7E]{1,99}$/.test(subject)),
                [],
                language,
            );
            assert.strictEqual(s, EN.subjects, language);
        }
    });

    it("falls back to English for a language the function's code does not know", function () {
        assert.strictEqual(catalogFor(undefined), EN);
        assert.strictEqual(catalogFor("xx" as never), EN);
        assert.strictEqual(catalogFor("toString" as never), EN);
        assert.strictEqual(catalogFor("ja"), CATALOGS.ja);
    });

    for (const file of BUILDERS) {
        it(`${file} contains no literal user-facing string: every literal with a word is a token classified above`, function () {
            const words = literalsOf(file).filter((text) => /\p{L}{2,}/u.test(text));
            assert.ok(literalsOf(file).length > 0, "found no literals at all");
            assert.deepStrictEqual(
                words.filter((text) => !Object.hasOwn(NOT_WORDING, text)),
                [],
            );
        });
    }
});
