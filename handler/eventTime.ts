import { log } from "./log";

const UTC_ZONES: readonly string[] = ["UTC", "Etc/UTC"];

function twoDigits(n: number): string {
    return String(n).padStart(2, "0");
}

function utcTime(time: Date, zoneName: string): string {
    const date = `${time.getUTCFullYear()}-${twoDigits(time.getUTCMonth() + 1)}-${twoDigits(time.getUTCDate())}`;
    return `${date} ${twoDigits(time.getUTCHours())}:${twoDigits(time.getUTCMinutes())}:${twoDigits(time.getUTCSeconds())} ${zoneName}`;
}

/**
 * Formats times as "2021-06-08 16:53:06 Asia/Tokyo": sortable, unambiguous, and in the zone the
 * team works in. Building an Intl.DateTimeFormat costs far more than using one, so a formatter
 * builds it once, on first use, and UTC needs none. The formatter lives in this closure, not at
 * module level: closure serialization would copy a module-level cache, Intl objects and all, into
 * the function's code if anything formatted a time before the program was serialized.
 *
 * The configuration refuses a zone the deploying machine does not know, but the Lambda runtime's
 * ICU may not know it (or the code was edited by hand): then times are given in UTC, saying so,
 * with one warning per formatter, rather than failing the batch and losing the alert.
 */
export function eventTimeFormatter(timeZone: string): (time: Date) => string {
    let intl: Intl.DateTimeFormat | undefined;
    let zone = timeZone;
    return (time) => {
        const year = time.getUTCFullYear();
        // Four-digit years only: Intl writes other years (and throws on an invalid date) its own way.
        if (UTC_ZONES.includes(zone) && year >= 1000 && year <= 9999) {
            return utcTime(time, zone);
        }
        if (!intl) {
            const options: Intl.DateTimeFormatOptions = {
                year: "numeric",
                month: "2-digit",
                day: "2-digit",
                hour: "2-digit",
                minute: "2-digit",
                second: "2-digit",
                hourCycle: "h23",
            };
            try {
                intl = new Intl.DateTimeFormat("en-CA", { ...options, timeZone: zone });
            } catch (err) {
                log("warn", "The configured time zone is unknown to this runtime; showing times in UTC.", {
                    timeZone: zone,
                    error: String(err),
                });
                zone = "UTC";
                intl = new Intl.DateTimeFormat("en-CA", { ...options, timeZone: zone });
                if (year >= 1000 && year <= 9999) {
                    return utcTime(time, zone);
                }
            }
        }
        const parts = intl.formatToParts(time);
        const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? "??";
        return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}:${get("second")} ${zone}`;
    };
}

/** One time, formatted as {@link eventTimeFormatter} does; for many, build the formatter once. */
export function formatEventTime(time: Date, timeZone: string): string {
    return eventTimeFormatter(timeZone)(time);
}
