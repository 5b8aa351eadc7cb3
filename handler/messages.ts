/**
 * The message catalogue: wording the function shows people that is not event data. Each entry is a
 * function of plain values, so a translation replaces the entry, never the code that calls it.
 */

/** Which path posted an event: EventBridge's event (seconds, best effort), or the CloudWatch Logs lookup (alarm or sweep). */
export type DeliveryPath = "fast" | "backstop";

/** A delay in plain units, rounded down: "14 s", "6 min", "3 h", "2 d". Negative delays (clock skew) read as 0 s. */
export function formatDelay(delayMs: number): string {
    const seconds = Number.isFinite(delayMs) ? Math.max(0, Math.floor(delayMs / 1000)) : 0;
    if (seconds < 60) {
        return `${seconds} s`;
    }
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) {
        return `${minutes} min`;
    }
    const hours = Math.floor(minutes / 60);
    return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} d`;
}

export const MESSAGES = {
    /**
     * How long after the event it was posted, and by which path: "posted 14 s after sign-in",
     * "posted 6 min after sign-in (CloudWatch Logs backstop)". Events other than a console sign-in
     * (a root API call) are "the event".
     */
    postedAfter(delayMs: number, path: DeliveryPath, isSignIn: boolean): string {
        const what = isSignIn ? "sign-in" : "the event";
        const via = path === "backstop" ? " (CloudWatch Logs backstop)" : "";
        return `posted ${formatDelay(delayMs)} after ${what}${via}`;
    },
} as const;
