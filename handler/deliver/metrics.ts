/**
 * Delivery metrics as CloudWatch embedded metric format log lines (CloudWatch User Guide,
 * "Specification: Embedded metric format"): Lambda sends stdout to CloudWatch Logs, which turns
 * each line into metric data without any API call from the function. One line per message: a
 * metric's value may be an array of up to 100 numbers, each a sample of its own, so the delays of
 * a message's sign-ins travel together and their average and maximum are what one line per
 * sign-in would give.
 */
import type { DeliveryPath } from "../decide/catalog";
import { DELIVERY_METRICS } from "../../shared/contract";

// The specification's limit on the values of one metric in one line.
const VALUES_PER_LINE = 100;

/** One line: each sign-in's delay after its event time, and, from the backstop, how many it posted first. */
function emfLine(timestampMs: number, path: DeliveryPath, delaysMs: readonly number[]): string {
    const backstop = path === "backstop";
    return JSON.stringify({
        _aws: {
            Timestamp: timestampMs,
            CloudWatchMetrics: [
                {
                    Namespace: DELIVERY_METRICS.namespace,
                    Dimensions: [[DELIVERY_METRICS.dimension]],
                    Metrics: [
                        { Name: DELIVERY_METRICS.delay, Unit: "Milliseconds" },
                        ...(backstop ? [{ Name: DELIVERY_METRICS.backstopFirst, Unit: "Count" }] : []),
                    ],
                },
            ],
        },
        [DELIVERY_METRICS.dimension]: path,
        [DELIVERY_METRICS.delay]: delaysMs.length === 1 ? delaysMs[0] : delaysMs,
        // The backstop posts only what no path posted before: each of its events is a first, summed.
        ...(backstop ? { [DELIVERY_METRICS.backstopFirst]: delaysMs.length } : {}),
    });
}

/** The lines for the events of one message a path posted at `postedAtMs`: one, unless it held more than 100. */
export function deliveryMetricLines(path: DeliveryPath, postedAtMs: number, eventTimesMs: readonly number[]): string[] {
    const delays = eventTimesMs.map((eventTimeMs) => Math.max(0, postedAtMs - eventTimeMs));
    const lines: string[] = [];
    for (let i = 0; i < delays.length; i += VALUES_PER_LINE) {
        lines.push(emfLine(postedAtMs, path, delays.slice(i, i + VALUES_PER_LINE)));
    }
    return lines;
}

/** Writes the lines to stdout, one each, where Lambda's log stream picks them up. */
export function writeDeliveryMetrics(path: DeliveryPath, postedAtMs: number, eventTimesMs: readonly number[]): void {
    for (const line of deliveryMetricLines(path, postedAtMs, eventTimesMs)) {
        console.log(line);
    }
}
