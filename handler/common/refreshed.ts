/**
 * A value read at most once every `maxAgeMs`, then read again: a secret rotated in SSM (the Slack
 * app's bot token, its signing secret) takes effect without a redeploy, and a warm container does
 * not pay a read per use.
 */
export function refreshedEvery<T>(read: () => Promise<T>, now: () => number, maxAgeMs: number): () => Promise<T> {
    let kept: { value: T; readAtMs: number } | undefined;
    return async () => {
        if (!kept || now() - kept.readAtMs > maxAgeMs) {
            kept = { value: await read(), readAtMs: now() };
        }
        return kept.value;
    };
}
