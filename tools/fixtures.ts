/**
 * The recorded AWS payloads in test/fixtures, one JSON file per case. They are data: the tools
 * read them (sample messages, the bench) as the tests do, without importing any test code.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./repoRoot";

export const FIXTURES_DIR = path.join(REPO_ROOT, "test", "fixtures");

/** A fixture by file name without `.json` (`sns_alarm-console-signin`, `cloudtrail_root-mfa`), parsed. */
export function fixture<T = Record<string, unknown>>(name: string): T {
    return JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, `${name}.json`), "utf8")) as T;
}

export interface CloudTrailFixture<T> {
    /** The file's text, as CloudTrail wrote the record into the log group. */
    text: string;
    parsed: T;
}

/**
 * Every `cloudtrail_*.json` fixture by short name (`iam-user-mfa`), in name order. Read from the
 * folder, so a fixture added there joins every table built from this.
 */
export function cloudTrailFixtures<T = Record<string, unknown>>(): Map<string, CloudTrailFixture<T>> {
    const names = fs
        .readdirSync(FIXTURES_DIR)
        .filter((f) => /^cloudtrail_.+\.json$/.test(f))
        .sort();
    return new Map(
        names.map((file) => {
            const text = fs.readFileSync(path.join(FIXTURES_DIR, file), "utf8");
            return [file.slice("cloudtrail_".length, -".json".length), { text, parsed: JSON.parse(text) as T }];
        }),
    );
}

/**
 * A recorded CloudWatch alarm notification (`sns_alarm-console-signin` unless named), wrapped in SNS as the
 * function receives it, with the given fields of the alarm's message changed (`AlarmName`, ...).
 */
export function alarmNotification(changes: Record<string, unknown>, recorded = "sns_alarm-console-signin"): unknown {
    const event = fixture<{ Records: Array<{ Sns: { Message: string } }> }>(recorded);
    const message = JSON.parse(event.Records[0]!.Sns.Message) as Record<string, unknown>;
    event.Records[0]!.Sns.Message = JSON.stringify({ ...message, ...changes });
    return event;
}
