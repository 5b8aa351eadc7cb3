/**
 * Delivery metrics as CloudWatch embedded metric format log lines (CloudWatch User Guide,
 * "Specification: Embedded metric format"): Lambda sends stdout to CloudWatch Logs, which turns
 * each line into metric data without any API call from the function.
 */
import type { DeliveryPath } from "../decide/catalog";
import { DELIVERY_METRICS } from "../../shared/contract";

function emfLine(timestampMs: number, path: DeliveryPath, name: string, unit: string, value: number): string {
    return JSON.stringify({
        _aws: {
            Timestamp: timestampMs,
            CloudWatchMetrics: [
                {
                    Namespace: DELIVERY_METRICS.namespace,
                    Dimensions: [[DELIVERY_METRICS.dimension]],
                    Metrics: [{ Name: name, Unit: unit }],
                },
            ],
        },
        [DELIVERY_METRICS.dimension]: path,
        [name]: value,
    });
}

/**
 * The lines for events one path posted at `postedAtMs`: each one's delay after its event time, and,
 * from the backstop, one count per event, since the backstop posts only what no path posted before.
 */
export function deliveryMetricLines(path: DeliveryPath, postedAtMs: number, eventTimesMs: readonly number[]): string[] {
    const lines: string[] = [];
    for (const eventTimeMs of eventTimesMs) {
        lines.push(emfLine(postedAtMs, path, DELIVERY_METRICS.delay, "Milliseconds", Math.max(0, postedAtMs - eventTimeMs)));
        if (path === "backstop") {
            lines.push(emfLine(postedAtMs, path, DELIVERY_METRICS.backstopFirst, "Count", 1));
        }
    }
    return lines;
}

/** Writes the lines to stdout, one each, where Lambda's log stream picks them up. */
export function writeDeliveryMetrics(path: DeliveryPath, postedAtMs: number, eventTimesMs: readonly number[]): void {
    for (const line of deliveryMetricLines(path, postedAtMs, eventTimesMs)) {
        console.log(line);
    }
}
