/**
 * A direct message of "Was this you?" as the function builds it (handler/decide/questionMessages.ts),
 * about a fixture sign-in: what the Web API and interaction specs post and click, so that they
 * click the buttons the function really sends.
 */
import { parseCloudTrailRecord, toSignIn } from "../../handler/decide/parse";
import { questionMessage, signInMessage, type AppMessage } from "../../handler/decide/questionMessages";
import { fixture } from "../../tools/fixtures";
import { builtInRunTimeRule } from "./fakePorts";

export function sampleQuestion(): AppMessage & { eventId: string } {
    const parsed = parseCloudTrailRecord(JSON.stringify(fixture("cloudtrail_iam-user-no-mfa")));
    if (!parsed.ok) {
        throw new Error(parsed.reason);
    }
    const signIn = toSignIn(parsed.value);
    const p = { timeZone: "UTC", accountLabels: { "111122223333": "production" }, mentions: {}, language: "en" as const };
    const channel = signInMessage(builtInRunTimeRule("signin-without-mfa"), signIn, p);
    return { ...questionMessage(channel, signIn.accountId, signIn.eventId, p), eventId: signIn.eventId };
}
