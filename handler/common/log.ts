/** Structured log line; CloudWatch Logs Insights can query the fields. Never pass the webhook URL. */
export function log(level: "info" | "warn" | "error", message: string, fields: Record<string, unknown> = {}): void {
    const line = JSON.stringify({ level, message, ...fields });
    if (level === "error") {
        console.error(line);
    } else {
        console.log(line);
    }
}
