import { defineRule } from "./definition";
import { apiCallRecord } from "./records";
import { tamperingPattern } from "../watchList";

export const deliveryTampering = defineRule({
    id: "delivery-tampering",
    severity: "critical",
    titles: { en: "Alert topics, routing or keys changed", ja: "アラート通知経路・トピック・キーの変更" },
    summary: {
        en: "This stack's topics, subscriptions, EventBridge rules, targets and bus changed or deleted, or any KMS key disabled, scheduled for deletion or re-permissioned, by anyone.",
        ja: "このスタックの SNS トピック、サブスクリプション、EventBridge のルール・ターゲット・バスの変更や削除、または任意の KMS キーの無効化・削除予約・キーポリシー変更。",
    },
    pattern: tamperingPattern("delivery-tampering"),
    examples: {
        matches: [
            {
                name: "disable-fast-path-rule",
                record: apiCallRecord("events.amazonaws.com", "DisableRule", { name: "login-alerts-fast-path-eu-west-1-rule-5d6e7f8" }),
            },
            {
                name: "disable-key",
                record: apiCallRecord("kms.amazonaws.com", "DisableKey", { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab" }),
            },
        ],
        nearMisses: [{ name: "other-rule", record: apiCallRecord("events.amazonaws.com", "DisableRule", { name: "nightly-report" }) }],
    },
});
