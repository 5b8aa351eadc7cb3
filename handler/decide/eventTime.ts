import type { Language } from "../../shared/contract";
import { catalogFor } from "./catalog";
import { log } from "../common/log";

const UTC_ZONES: readonly string[] = ["UTC", "Etc/UTC"];

function twoDigits(n: number): string {
    return String(n).padStart(2, "0");
}

function utcDate(time: Date): string {
    return `${time.getUTCFullYear()}-${twoDigits(time.getUTCMonth() + 1)}-${twoDigits(time.getUTCDate())}`;
}

function utcTime(time: Date, zoneName: string): string {
    return `${utcDate(time)} ${twoDigits(time.getUTCHours())}:${twoDigits(time.getUTCMinutes())}:${twoDigits(time.getUTCSeconds())} ${zoneName}`;
}

/**
 * An Intl formatter in the zone, or in UTC, with one warning, when this runtime's ICU does not
 * know the zone: the configuration refuses a zone the deploying machine does not know, but the
 * Lambda runtime's may not (or the code was edited by hand), and a time in UTC that says so is
 * better than failing the batch and losing the alert.
 */
function intlInZone(timeZone: string, make: (zone: string) => Intl.DateTimeFormat): { intl: Intl.DateTimeFormat; zone: string } {
    try {
        return { intl: make(timeZone), zone: timeZone };
    } catch (err) {
        log("warn", "The configured time zone is unknown to this runtime; showing times in UTC.", { timeZone, error: String(err) });
        return { intl: make("UTC"), zone: "UTC" };
    }
}

const SORTABLE: Intl.DateTimeFormatOptions = {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
};

/** "2021-06-08 16:53:06 Asia/Tokyo": sortable and unambiguous; the date alone is "2021-06-08". */
function sortableFormatter(timeZone: string, dateOnly: boolean): (time: Date) => string {
    let built: { intl: Intl.DateTimeFormat; zone: string } | undefined;
    return (time) => {
        const year = time.getUTCFullYear();
        // Four-digit years only: Intl writes other years (and throws on an invalid date) its own way.
        const fourDigits = year >= 1000 && year <= 9999;
        const zone = built?.zone ?? timeZone;
        if (UTC_ZONES.includes(zone) && fourDigits) {
            return dateOnly ? utcDate(time) : utcTime(time, zone);
        }
        if (!built) {
            built = intlInZone(timeZone, (z) => new Intl.DateTimeFormat("en-CA", { ...SORTABLE, timeZone: z }));
            if (built.zone !== timeZone && fourDigits) {
                return dateOnly ? utcDate(time) : utcTime(time, built.zone);
            }
        }
        const parts = built.intl.formatToParts(time);
        const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? "??";
        const date = `${get("year")}-${get("month")}-${get("day")}`;
        return dateOnly ? date : `${date} ${get("hour")}:${get("minute")}:${get("second")} ${built.zone}`;
    };
}

/** The language's own way, through Intl.DateTimeFormat with its locale: "2026年11月29日 20:47 JST". */
function localeFormatter(timeZone: string, locale: string, options: Intl.DateTimeFormatOptions): (time: Date) => string {
    let intl: Intl.DateTimeFormat | undefined;
    return (time) => {
        intl ??= intlInZone(timeZone, (zone) => new Intl.DateTimeFormat(locale, { ...options, timeZone: zone })).intl;
        return Number.isNaN(time.getTime()) ? "??" : intl.format(time);
    };
}

/**
 * Formats times in the zone the team works in, the way the language writes them (its catalog's
 * time style). Building an Intl.DateTimeFormat costs far more than using one, so a formatter builds
 * it once, on first use, and the sortable UTC form needs none. The formatter lives in this closure:
 * one per presentation, so a run in another time zone or language never meets a stale one.
 */
export function eventTimeFormatter(timeZone: string, language: Language): (time: Date) => string {
    const style = catalogFor(language).time;
    return style.kind === "sortable" ? sortableFormatter(timeZone, false) : localeFormatter(timeZone, style.locale, style.dateTime);
}

/** Dates alone, in the zone, the language's way: "2026-11-02", "2026年11月2日". */
export function eventDateFormatter(timeZone: string, language: Language): (time: Date) => string {
    const style = catalogFor(language).time;
    return style.kind === "sortable" ? sortableFormatter(timeZone, true) : localeFormatter(timeZone, style.locale, style.date);
}

/** One time, formatted as {@link eventTimeFormatter} does; for many, build the formatter once. */
export function formatEventTime(time: Date, timeZone: string, language: Language): string {
    return eventTimeFormatter(timeZone, language)(time);
}
