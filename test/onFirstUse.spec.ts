import * as assert from "assert";
import { onFirstUse } from "../handler/common/onFirstUse";

describe("a client made on first use", function () {
    it("is not made until asked for, then made once and kept, even when it is falsy", function () {
        let made = 0;
        const zero = onFirstUse(() => {
            made += 1;
            return 0;
        });
        assert.strictEqual(made, 0);
        assert.deepStrictEqual([zero(), zero(), zero()], [0, 0, 0]);
        assert.strictEqual(made, 1);
    });

    it("is asked for again after a failure to make it, so a cold start's passing fault is not kept", function () {
        let attempts = 0;
        const flaky = onFirstUse(() => {
            attempts += 1;
            if (attempts === 1) {
                throw new Error("not yet");
            }
            return "client";
        });
        assert.throws(flaky, /not yet/);
        assert.strictEqual(flaky(), "client");
        assert.strictEqual(attempts, 2);
    });
});
