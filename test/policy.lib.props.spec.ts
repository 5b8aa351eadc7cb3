import { strict as assert } from "assert";
import { NOT_YET_KNOWN, isSet, plain, propertyPath, read, readList, readString } from "../policy/lib/props";
import { UNKNOWN_ON_THE_WIRE } from "../tools/engineWire";
import { presentProperties } from "../tools/policyCheck";

// Properties as a policy receives them in preview: decoded and behind @pulumi/policy's proxy,
// which throws on the engine's unknown placeholder.
const props = presentProperties({
    name: "login-alerts",
    arn: UNKNOWN_ON_THE_WIRE,
    empty: "",
    unset: null,
    count: 3,
    tags: { team: "security", owner: UNKNOWN_ON_THE_WIRE },
    actions: ["arn:one", UNKNOWN_ON_THE_WIRE],
    computedList: UNKNOWN_ON_THE_WIRE,
    single: "arn:only",
    known: { list: [1, { a: "b" }] },
});

describe("policy lib: reading properties", () => {
    describe("read", () => {
        const cases: Array<[name: string, obj: unknown, key: string | number, expected: unknown]> = [
            ["a known value", props, "name", "login-alerts"],
            ["a value not known yet", props, "arn", NOT_YET_KNOWN],
            ["a nested value not known yet", read(props, "tags"), "owner", NOT_YET_KNOWN],
            ["a property the engine sends as null", props, "unset", undefined],
            ["a missing property", props, "absent", undefined],
            ["from inside a value not known yet", NOT_YET_KNOWN, "anything", NOT_YET_KNOWN],
            ["from a string", "text", "length", undefined],
            ["from undefined", undefined, "x", undefined],
        ];
        for (const [name, obj, key, expected] of cases) {
            it(`reads ${name}`, () => {
                assert.equal(read(obj, key), expected);
            });
        }
    });

    describe("readString", () => {
        const cases: Array<[key: string, expected: unknown]> = [
            ["name", "login-alerts"],
            ["arn", NOT_YET_KNOWN],
            ["count", undefined],
            ["tags", undefined],
            ["absent", undefined],
        ];
        for (const [key, expected] of cases) {
            it(`reads ${key} as ${String(expected)}`, () => {
                assert.equal(readString(props, key), expected);
            });
        }
    });

    describe("readList", () => {
        const cases: Array<[key: string, expected: unknown]> = [
            ["actions", ["arn:one", NOT_YET_KNOWN]],
            ["computedList", NOT_YET_KNOWN],
            ["single", ["arn:only"]],
            ["absent", []],
            ["unset", []],
        ];
        for (const [key, expected] of cases) {
            it(`reads ${key}`, () => {
                assert.deepEqual(readList(props, key), expected);
            });
        }
    });

    describe("plain", () => {
        const cases: Array<[name: string, value: unknown, expected: unknown]> = [
            ["a known object, deeply", read(props, "known"), { list: [1, { a: "b" }] }],
            ["an object with a value not known yet", read(props, "tags"), NOT_YET_KNOWN],
            ["a list with an element not known yet", read(props, "actions"), NOT_YET_KNOWN],
            ["a scalar", "text", "text"],
            ["the marker itself", NOT_YET_KNOWN, NOT_YET_KNOWN],
        ];
        for (const [name, value, expected] of cases) {
            it(`copies ${name}`, () => {
                assert.deepEqual(plain(value), expected);
            });
        }
    });

    describe("isSet", () => {
        const cases: Array<[value: unknown, expected: boolean]> = [
            ["arn:x", true],
            ["", false],
            [undefined, false],
            [NOT_YET_KNOWN, true],
            [0, true],
            [false, true],
        ];
        for (const [value, expected] of cases) {
            it(`counts ${String(value)} as ${expected ? "set" : "unset"}`, () => {
                assert.equal(isSet(value), expected);
            });
        }
    });

    describe("propertyPath", () => {
        const cases: Array<[parent: string, key: string | number, expected: string]> = [
            ["", "environment", "environment"],
            ["environment", "variables", "environment.variables"],
            ["tags", "team-name", 'tags["team-name"]'],
            ["", "a b", '["a b"]'],
            ["list", 0, "list[0]"],
            ["list[0]", "$ref", "list[0].$ref"],
        ];
        for (const [parent, key, expected] of cases) {
            it(`writes ${JSON.stringify(parent)} + ${JSON.stringify(key)} as ${expected}`, () => {
                assert.equal(propertyPath(parent, key), expected);
            });
        }
    });

    it("keeps the wire placeholder and the in-pack marker apart", () => {
        assert.equal(typeof UNKNOWN_ON_THE_WIRE, "string");
        assert.equal(typeof NOT_YET_KNOWN, "symbol");
        assert.notEqual(read(props, "arn"), UNKNOWN_ON_THE_WIRE);
    });
});
