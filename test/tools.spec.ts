import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { fastPathLines } from "../tools/plan";

const ROOT = path.resolve(__dirname, "..");
const TOOLS = path.join(ROOT, "tools");
const TESTS = path.join(ROOT, "test");

function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? sources(full) : entry.name.endsWith(".ts") ? [full] : [];
    });
}

/** Every module specifier of a file: static imports and re-exports, `import()` and `require()`. */
function specifiers(text: string): string[] {
    const found: string[] = [];
    const patterns = [
        /\b(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/g,
        /\bimport\s*["']([^"']+)["']/g,
        /\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g,
    ];
    for (const pattern of patterns) {
        for (const match of text.matchAll(pattern)) {
            found.push(match[1]!);
        }
    }
    return found;
}

describe("tools/", function () {
    it("finds the import specifiers of a module", function () {
        const text = [
            'import * as fs from "fs";',
            'import type { A } from "../test/support/a";',
            "import {\n    b,\n    c,\n} from './b';",
            'export { d } from "./d";',
            'import "./side-effect";',
            'const e = require("./e");',
            'const f = await import("./f");',
        ].join("\n");
        assert.deepStrictEqual(specifiers(text).sort(), ["../test/support/a", "./b", "./d", "./e", "./f", "./side-effect", "fs"]);
    });

    it("never imports test code, so npm start and npm run bench run no test doubles", function () {
        const files = sources(TOOLS);
        assert.ok(files.length >= 10, `found only ${files.length} files under tools/`);
        const offending: string[] = [];
        for (const file of files) {
            for (const specifier of specifiers(fs.readFileSync(file, "utf8"))) {
                const target = specifier.startsWith(".") ? path.resolve(path.dirname(file), specifier) : "";
                if (target === TESTS || target.startsWith(`${TESTS}${path.sep}`)) {
                    offending.push(`${path.relative(ROOT, file)} imports ${specifier}`);
                }
            }
        }
        assert.deepStrictEqual(offending, []);
    });
});

describe("npm start's fast-path lines", function () {
    it("name every region the stack will put its rules in, and how to name only those an organization allows", function () {
        assert.deepStrictEqual(
            fastPathLines({ fastPathRegions: ["eu-west-1", "us-east-1", "ap-northeast-1"], fastPathBackstopOnly: {} }, 2),
            [
                "Fast path: 2 rules in each of 3 regions (eu-west-1, us-east-1, ap-northeast-1). In an account where an SCP or Control Tower denies " +
                    `some regions, name the allowed ones, us-east-1 first: pulumi config set --path 'fastPathRegions' '["us-east-1","eu-west-1","ap-northeast-1"]'`,
            ],
        );
        assert.deepStrictEqual(fastPathLines({ fastPathBackstopOnly: {} }, 0), [
            "Fast path: off; every rule arrives by the CloudWatch Logs backstop.",
        ]);
    });

    it("name each rule left to the backstop, and why", function () {
        const reason = "backstop only, because `%…%` regular expressions have no EventBridge equivalent (`$.userAgent = %curl%`)";
        assert.deepStrictEqual(fastPathLines({ fastPathRegions: ["us-east-1"], fastPathBackstopOnly: { "odd-agent": reason } }, 1), [
            "Fast path: a rule in each of 1 regions (us-east-1). In an account where an SCP or Control Tower denies " +
                `some regions, name the allowed ones, us-east-1 first: pulumi config set --path 'fastPathRegions' '["us-east-1"]'`,
            `Rule odd-agent: ${reason}; it arrives by the CloudWatch Logs backstop, in minutes.`,
        ]);
    });
});
