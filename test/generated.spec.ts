import * as assert from "assert";
import { GENERATED, renderAll } from "../tools/generate";

/** Every generated text is what its one source gives today (`npm run docs` writes them). */
describe("generated text", function () {
    it("covers the watch list, the rules' titles, both rules tables, Pulumi.yaml's rule ids and the configuration reference", function () {
        assert.deepStrictEqual(
            GENERATED.map((g) => g.file),
            [
                "docs/tamper-evident.md",
                "handler/decide/catalog/ruleTitles.ts",
                "docs/rules.md",
                "docs/rules.ja.md",
                "Pulumi.yaml",
                "docs/configuration.md",
            ],
        );
    });

    it("is current in every file: run npm run docs after changing a rule, the watch list or Pulumi.yaml", async function () {
        const stale = (await renderAll()).filter((f) => f.current !== f.wanted).map((f) => f.file);
        assert.deepStrictEqual(stale, []);
    });
});
