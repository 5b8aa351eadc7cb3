/**
 * The English wording of the delivery note, for callers that predate the catalogs. Every message
 * now takes its words from handler/catalog, one catalog per language.
 */
import { EN } from "./catalog/en";
import { splitDelay, type DeliveryPath } from "./catalog/catalog";

export type { DeliveryPath } from "./catalog/catalog";

/** A delay in plain units, rounded down: "14 s", "6 min", "3 h", "2 d". Negative delays (clock skew) read as 0 s. */
export function formatDelay(delayMs: number): string {
    return EN.signIn.delay(splitDelay(delayMs));
}

export const MESSAGES = {
    /** "posted 14 s after sign-in", "posted 6 min after sign-in (CloudWatch Logs backstop)", "posted 6 min after the event". */
    postedAfter(delayMs: number, path: DeliveryPath, isSignIn: boolean): string {
        return EN.signIn.postedAfter(formatDelay(delayMs), path, isSignIn);
    },
} as const;
