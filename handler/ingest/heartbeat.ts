/**
 * The delivery heartbeat's notifications: its alarm watches IncomingLogEvents of the trail's log
 * group and fires when nothing arrives (the trail stopped, lost its role, or was pointed elsewhere),
 * which would otherwise look exactly like a quiet day. CloudWatch tells the operators' topic
 * itself; the function tells the channel, once per state change, ALARM and OK alike.
 */
import { deliverNote, noteOnce } from "../deliver/delivery";
import { buildHeartbeatMessage, heartbeatNotice } from "../decide/reports";
import { log } from "../common/log";
import { parseAlarmNotification, type Trigger } from "../decide/parse";
import { noteRun, type SweepDeps } from "../deliver/ruleRun";
import type { AlarmNotification, InvocationReport } from "../common/types";

type SnsTrigger = Extract<Trigger, { kind: "sns" }>;

/**
 * The heartbeat alarm's notifications, and the rest of the batch (the rules' work). With no
 * heartbeat in the stack, or no trigger from SNS, everything is the rest.
 */
export function takeHeartbeats<T extends Trigger>(trigger: T, alarmName: string | undefined): { heartbeats: AlarmNotification[]; rest: T } {
    if (trigger.kind !== "sns" || !alarmName) {
        return { heartbeats: [], rest: trigger };
    }
    const heartbeats: AlarmNotification[] = [];
    const messages = (trigger as SnsTrigger).messages.filter((message) => {
        const alarm = message.ok ? parseAlarmNotification(message.value.body) : message;
        const isHeartbeat = alarm.ok && alarm.value.alarmName === alarmName;
        if (isHeartbeat) {
            heartbeats.push(alarm.value);
        }
        return !isHeartbeat;
    });
    return { heartbeats, rest: { ...trigger, messages } };
}

/** Posts each heartbeat state change once, however many invocations its notification causes. */
export async function postHeartbeats(
    deps: SweepDeps,
    alarms: readonly AlarmNotification[],
    deadlineMs: number,
    report: InvocationReport,
): Promise<void> {
    const quietMinutes = deps.settings.heartbeat?.quietMinutes ?? 0;
    const run = noteRun(deps, "delivery-heartbeat", deadlineMs, report);
    for (const alarm of alarms) {
        if (alarm.newState === "INSUFFICIENT_DATA") {
            report.skipped.push(`alarm ${alarm.alarmName} went to INSUFFICIENT_DATA`);
            continue;
        }
        await noteOnce(run, `heartbeat#${alarm.newState}#${alarm.stateChangeTime.toISOString()}`, () => {
            log(alarm.newState === "ALARM" ? "error" : "info", "delivery heartbeat", {
                state: alarm.newState,
                logGroup: deps.settings.trailLogGroupName,
            });
            const notice = { alarm, logGroupName: deps.settings.trailLogGroupName, quietMinutes };
            // Slack may refuse it; the operators hear of the silent trail either way.
            return deliverNote(run, buildHeartbeatMessage(notice, run.presentation), () => heartbeatNotice(notice, run.presentation));
        });
    }
}
