import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { splitDelay } from "../handler/decide/catalog";
import { EN } from "../handler/decide/catalog/en";
import { buildSignInMessages, formatEventTime, type Presentation } from "../handler/decide/messages";
import { parseCloudTrailRecord, toSignIn } from "../handler/decide/parse";
import { LANGUAGES, type Language } from "../shared/contract";
import { cloudTrailFixtures } from "../tools/fixtures";
import { blockKitBuilderUrl, messageSamples } from "../tools/sampleMessages";
import { builtInRunTimeRule } from "./support/fakePorts";

const SNAPSHOTS = path.join(__dirname, "fixtures", "snapshots");
// UPDATE_SNAPSHOTS=1 records them anew, for a wording change made on purpose.
const UPDATE = process.env["UPDATE_SNAPSHOTS"] === "1";

/** Every CloudTrail fixture as the console-signin rule posts it, then one of every other kind, in the language. */
function everyMessage(language: Language): Record<string, unknown> {
    const p: Presentation = { timeZone: "Asia/Tokyo", language, accountLabels: { "111122223333": "production" }, mentions: {} };
    const fixtures = Object.fromEntries(
        [...cloudTrailFixtures().entries()].map(([name, { text }]) => {
            const parsed = parseCloudTrailRecord(text);
            assert.ok(parsed.ok, name);
            return [name, buildSignInMessages(builtInRunTimeRule("console-signin"), [toSignIn(parsed.value)], p)[0]!.message];
        }),
    );
    const kinds = Object.fromEntries(messageSamples(language, "Asia/Tokyo").map((s) => [s.name, "message" in s ? s.message : s.notice]));
    return { fixtures, kinds };
}

describe("every message kind in every language, against its snapshot", function () {
    for (const language of LANGUAGES) {
        it(`posts and mails in ${language} exactly what test/fixtures/snapshots/${language}.json records`, function () {
            const file = path.join(SNAPSHOTS, `${language}.json`);
            const actual = everyMessage(language);
            if (UPDATE) {
                fs.mkdirSync(SNAPSHOTS, { recursive: true });
                fs.writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
            }
            assert.deepStrictEqual(actual, JSON.parse(fs.readFileSync(file, "utf8")));
        });
    }

    it("covers the same kinds in every language", function () {
        const kinds = (language: Language): string[] => Object.keys(everyMessage(language)["kinds"] as object);
        for (const language of LANGUAGES) {
            assert.deepStrictEqual(kinds(language), kinds("en"), language);
        }
        assert.ok(kinds("en").length >= 18, `only ${kinds("en").length} kinds`);
    });

    it("writes times with the language's locale and the configured zone", function () {
        const at = new Date("2026-11-29T11:47:05Z");
        assert.strictEqual(formatEventTime(at, "Asia/Tokyo", "ja"), "2026年11月29日 20:47 JST");
        assert.strictEqual(formatEventTime(at, "Asia/Tokyo", "en"), "2026-11-29 20:47:05 Asia/Tokyo");
        assert.strictEqual(formatEventTime(at, "UTC", "ja"), "2026年11月29日 11:47 UTC");
        assert.strictEqual(formatEventTime(new Date("2026-11-29T15:00:00Z"), "Asia/Tokyo", "ja"), "2026年11月30日 00:00 JST");
    });

    it("words the delay after the event from the catalog, the same way for both paths", function () {
        const cases: Array<[Language, "fast" | "backstop", string]> = [
            ["en", "fast", "posted 14 s after sign-in"],
            ["en", "backstop", "posted 14 s after sign-in (CloudWatch Logs backstop)"],
            ["ja", "fast", "サインインの14秒後に投稿"],
            ["ja", "backstop", "サインインの14秒後に投稿（CloudWatch Logs 経由）"],
        ];
        const parsed = parseCloudTrailRecord(cloudTrailFixtures().get("iam-user-mfa")!.text);
        assert.ok(parsed.ok);
        const signIn = toSignIn(parsed.value);
        for (const [language, via, note] of cases) {
            const p: Presentation = {
                timeZone: "UTC",
                language,
                accountLabels: {},
                mentions: {},
                delivery: { path: via, atMs: signIn.eventTime.getTime() + 14_999 },
            };
            const section = buildSignInMessages(builtInRunTimeRule("console-signin"), [signIn], p)[0]!.message.blocks[2]!;
            assert.ok(
                section.type === "section" && section.text.text.endsWith(` · ${note}`),
                `${language} ${via}: ${JSON.stringify(section)}`,
            );
        }
        assert.strictEqual(EN.signIn.postedAfter(EN.signIn.delay(splitDelay(14_000)), "fast", true), "posted 14 s after sign-in");
    });

    it("links every sample to Block Kit Builder with exactly its blocks in the fragment", function () {
        for (const language of LANGUAGES) {
            for (const sample of messageSamples(language, "Asia/Tokyo")) {
                if (!("message" in sample) || !sample.message.blocks) {
                    continue;
                }
                const url = blockKitBuilderUrl(sample.message.blocks);
                const [base, fragment] = url.split("#");
                assert.strictEqual(base, "https://app.slack.com/block-kit-builder");
                assert.deepStrictEqual(JSON.parse(decodeURIComponent(fragment!)), { blocks: sample.message.blocks }, sample.name);
                assert.doesNotMatch(fragment!, /[^A-Za-z0-9\-_.!~*'()%]/, "the fragment is not fully percent-encoded");
            }
        }
    });
});
