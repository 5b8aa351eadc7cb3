import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { ConfigError } from "../program/configValues";
import { readTags } from "../program/tags";
import type { RecordedResource } from "../tools/offlineEngine";
import { runWith } from "./support/program";

const AWS_PACKAGE = path.dirname(require.resolve("@pulumi/aws/package.json"));
const TAGS = { owner: "platform", "cost-centre": "1234" };

/**
 * Whether @pulumi/aws declares `tags` among a resource type's arguments, read from the class's own
 * declaration (`aws:<module>/<file>:<Class>` → `<module>/<file>.d.ts`, interface `<Class>Args`),
 * so the test does not take the program's word for which resources take tags.
 */
function declaresTags(type: string): boolean {
    const match = /^aws:([^/]+)\/([^:]+):(\w+)$/.exec(type);
    assert.ok(match, `not an AWS type token: ${type}`);
    const [, module, file, cls] = match;
    const dts = fs.readFileSync(path.join(AWS_PACKAGE, module === "index" ? "" : module!, `${file!}.d.ts`), "utf8");
    const start = dts.indexOf(`export interface ${cls!}Args {`);
    assert.ok(start >= 0, `no ${cls!}Args in ${module!}/${file!}.d.ts`);
    const body = dts.slice(start, dts.indexOf("\n}", start));
    return /^ {4}tags\?: /m.test(body);
}

function awsResources(resources: RecordedResource[]): RecordedResource[] {
    return resources.filter((r) => r.custom && r.type.startsWith("aws:"));
}

function source(tags: string | undefined) {
    return { get: (k: string) => (k === "tags" ? tags : undefined), isSecret: () => false };
}

function tagsError(tags: string): string {
    try {
        readTags(source(tags));
    } catch (err) {
        assert.ok(err instanceof ConfigError, `threw ${String(err)}`);
        return err.message;
    }
    assert.fail("no error");
}

describe("tags", function () {
    const everyOption = {
        encryptTopics: "true",
        encryptTrailLogs: "true",
        operatorEmail: "ops@example.com",
        summary: "daily",
        tags: JSON.stringify(TAGS),
    };

    it("puts the stack's tags on every resource whose @pulumi/aws arguments take tags, and on no other", async function () {
        const run = await runWith(everyOption);
        const resources = awsResources(run.resources);
        const taggable = new Set(resources.map((r) => r.type).filter(declaresTags));
        // The kinds the stack creates that take tags: the test is only as good as this list is long.
        assert.deepStrictEqual([...taggable].sort(), [
            "aws:cloudtrail/trail:Trail",
            "aws:cloudwatch/eventBus:EventBus",
            "aws:cloudwatch/eventRule:EventRule",
            "aws:cloudwatch/logGroup:LogGroup",
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            "aws:dynamodb/table:Table",
            "aws:iam/role:Role",
            "aws:kms/key:Key",
            "aws:lambda/function:Function",
            "aws:s3/bucket:Bucket",
            "aws:sns/topic:Topic",
            "aws:sqs/queue:Queue",
            "aws:ssm/parameter:Parameter",
        ]);
        const wrong = resources.flatMap((r) => {
            const expected = taggable.has(r.type) ? TAGS : undefined;
            return isDeepStrictEqual(r.inputs["tags"], expected) ? [] : [`${r.name} (${r.type}): ${JSON.stringify(r.inputs["tags"])}`];
        });
        assert.deepStrictEqual(wrong, []);
    });

    it("adds no tags when none are configured, so aws:defaultTags alone decide", async function () {
        const run = await runWith({ ...everyOption, tags: "{}" });
        assert.deepStrictEqual(
            awsResources(run.resources)
                .filter((r) => r.inputs["tags"] !== undefined)
                .map((r) => r.name),
            [],
        );
    });

    it("takes 50 tags of the longest key and value AWS allows, in any script", function () {
        const tags = Object.fromEntries(
            Array.from({ length: 50 }, (_, i) => [`${String(i).padStart(2, "0")}${"鍵".repeat(126)}`, `${"値 _.:/=+-@".repeat(25)}aaaaaa`]),
        );
        assert.deepStrictEqual(readTags(source(JSON.stringify(tags))), tags);
        assert.deepStrictEqual(readTags(source(undefined)), {});
    });

    it("names the key and the fix for every tag AWS would refuse", function () {
        const fix = "Fix it with: pulumi config set --path 'tags.owner' platform";
        const cases: Array<[string, string]> = [
            [
                "[]",
                `Configuration key console-login-alerts:tags must map tag keys to values, e.g. {"owner":"platform","cost-centre":"1234"}. ${fix}`,
            ],
            [
                JSON.stringify(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]))),
                "Configuration key console-login-alerts:tags has 51 tags; AWS takes at most 50 a resource, aws:defaultTags included.",
            ],
            [JSON.stringify({ "": "v" }), `Configuration key console-login-alerts:tags. must be a key of 1 to 128 characters. ${fix}`],
            [
                JSON.stringify({ ["k".repeat(129)]: "v" }),
                `Configuration key console-login-alerts:tags.${"k".repeat(129)} must be a key of 1 to 128 characters. ${fix}`,
            ],
            [
                JSON.stringify({ owner: "v".repeat(257) }),
                `Configuration key console-login-alerts:tags.owner must be a text value of at most 256 characters. ${fix}`,
            ],
            [
                JSON.stringify({ owner: 7 }),
                `Configuration key console-login-alerts:tags.owner must be a text value of at most 256 characters. ${fix}`,
            ],
            [
                JSON.stringify({ "owner!": "v" }),
                `Configuration key console-login-alerts:tags.owner! must be letters, digits, spaces and _ . : / = + - @ only. ${fix}`,
            ],
            [
                JSON.stringify({ owner: "a\nb" }),
                `Configuration key console-login-alerts:tags.owner must be letters, digits, spaces and _ . : / = + - @ only. ${fix}`,
            ],
            [
                JSON.stringify({ "AWS:owner": "v" }),
                `Configuration key console-login-alerts:tags.AWS:owner must be free of the aws: prefix, which AWS keeps for its own tags. ${fix}`,
            ],
            [
                JSON.stringify({ owner: "aws:me" }),
                `Configuration key console-login-alerts:tags.owner must be free of the aws: prefix, which AWS keeps for its own tags. ${fix}`,
            ],
        ];
        assert.deepStrictEqual(
            cases.map(([tags]) => tagsError(tags)),
            cases.map(([, message]) => message),
        );
    });
});
