import { defineRule } from "./definition";
import { apiCallRecord } from "./records";
import { tamperingPattern } from "../watchList";

/** The calls of program/watchList.ts that blind the trail or its alerting; a stack using an existing trail gets the pattern naming its log group. */
export const trailTampering = defineRule({
    id: "trail-tampering",
    severity: "critical",
    titles: { en: "CloudTrail or alerting tampered with", ja: "CloudTrail またはアラート設定の改ざん" },
    summary: {
        en: "Trail stopped, deleted or changed (any trail); this stack's trail bucket, log groups, metric filters, alarms (re-thresholded or forced to OK too) or dashboard changed, by anyone.",
        ja: "証跡の停止・削除・変更、またはこのスタックの証跡バケット、ロググループ、メトリクスフィルター、アラーム（しきい値の変更や OK への強制を含む）、ダッシュボードの変更。実行者に関係なく重大として通知します。心当たりがなければ直ちに調査してください。",
    },
    pattern: tamperingPattern("trail-tampering"),
    examples: {
        matches: ["stop-logging", "delete-alarms"],
        nearMisses: [
            // Reading a trail's status changes nothing.
            {
                name: "get-trail-status",
                record: apiCallRecord("cloudtrail.amazonaws.com", "GetTrailStatus", { name: "login-alerts-trail" }),
            },
            // Another team's alarm.
            {
                name: "other-alarm-state",
                record: apiCallRecord("monitoring.amazonaws.com", "SetAlarmState", { alarmName: "billing-high" }),
            },
        ],
    },
});
