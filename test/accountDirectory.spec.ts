/** The organization's accounts as the function asks AWS Organizations: once per account, names as labels. */
import * as assert from "assert";
import { accountDirectory, type DescribeAccount } from "../handler/deliver/accountDirectory";

const MINUTE = 60_000;

function directoryOf(members: Record<string, string>) {
    const asked: string[] = [];
    let nowMs = 0;
    const describe: DescribeAccount = async (id) => {
        asked.push(id);
        if (id === "999999999999") {
            throw new Error("Rate exceeded");
        }
        const name = members[id];
        return name === undefined ? undefined : { name };
    };
    const directory = accountDirectory(describe, () => nowMs);
    return { directory, asked, advance: (ms: number) => (nowMs += ms), members };
}

describe("the organization's account directory", () => {
    it("asks once per member account and keeps its name", async () => {
        const { directory, asked } = directoryOf({ "444455556666": "payments-prod" });
        assert.deepStrictEqual(await directory.standing("444455556666"), { member: true, name: "payments-prod" });
        assert.deepStrictEqual(await directory.standing("444455556666"), { member: true, name: "payments-prod" });
        assert.deepStrictEqual(asked, ["444455556666"]);
    });

    it("asks again about an account that was not a member after five minutes, since it may have joined", async () => {
        const { directory, asked, advance, members } = directoryOf({});
        assert.deepStrictEqual(await directory.standing("777788889999"), { member: false });
        advance(5 * MINUTE - 1);
        assert.deepStrictEqual(await directory.standing("777788889999"), { member: false });
        members["777788889999"] = "new-sandbox";
        advance(1);
        assert.deepStrictEqual(await directory.standing("777788889999"), { member: true, name: "new-sandbox" });
        assert.deepStrictEqual(asked, ["777788889999", "777788889999"]);
    });

    it("labels accounts the stack does not, keeps configured labels, and leaves an account it cannot read with its id", async () => {
        const { directory, asked } = directoryOf({ "444455556666": "payments-prod", "111122223333": "management" });
        const labels = await directory.labelsFor(["444455556666", "111122223333", "444455556666", "999999999999", "777788889999"], {
            "111122223333": "security",
        });
        assert.deepStrictEqual(labels, { "111122223333": "security", "444455556666": "payments-prod" });
        assert.deepStrictEqual(asked, ["444455556666", "999999999999", "777788889999"]);
    });
});
