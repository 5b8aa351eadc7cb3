import * as assert from "assert";
import { GENERATED, renderAll } from "../tools/generate";

/** Every generated text is what its one source gives today (`npm run docs` writes them). */
describe("generated text", function () {
    it("covers the watch list, the rules' titles, both READMEs' rules tables and Pulumi.yaml's rule ids", function () {
        assert.deepStrictEqual(
            GENERATED.map((g) => g.file),
            ["docs/tamper-evident.md", "handler/catalog/ruleTitles.ts", "README.md", "README.ja.md", "Pulumi.yaml"],
        );
    });

    it("is current in every file: run npm run docs after changing a rule or the watch list", async function () {
        const stale = (await renderAll()).filter((f) => f.current !== f.wanted).map((f) => f.file);
        assert.deepStrictEqual(stale, []);
    });
});
