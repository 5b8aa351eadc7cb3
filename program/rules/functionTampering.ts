import { defineRule } from "./definition";
import { apiCallRecord } from "./records";
import { tamperingPattern } from "../watchList";

export const functionTampering = defineRule({
    id: "function-tampering",
    severity: "critical",
    titles: { en: "Alert function, its role or webhook changed", ja: "アラート関数・ロール・Webhook の変更" },
    summary: {
        en: "This stack's function (code, configuration, concurrency, permissions, retries), roles, webhook parameter, state table, dead-letter queue or summary schedule changed or deleted, by anyone.",
        ja: "このスタックの関数（コード、設定、同時実行数、権限、再試行）、ロール、Webhook のパラメータ、状態テーブル、デッドレターキュー、サマリーのスケジュールの変更や削除。自分の `pulumi up` による変更は、`allowList` の `downgrade` でデプロイ用ロールを指定すると情報レベルになります。",
    },
    pattern: tamperingPattern("function-tampering"),
    examples: {
        matches: [
            // Concurrency 0 throttles every invocation, and throttles are not errors.
            {
                name: "throttle-function",
                record: apiCallRecord("lambda.amazonaws.com", "PutFunctionConcurrency20171031", {
                    functionName: "login-alerts-function-1a2b3c4",
                }),
            },
            {
                name: "repoint-webhook",
                record: apiCallRecord("ssm.amazonaws.com", "PutParameter", { name: "/console-login-alerts/dev/webhook" }),
            },
        ],
        nearMisses: [
            {
                name: "other-function",
                record: apiCallRecord("lambda.amazonaws.com", "PutFunctionConcurrency20171031", { functionName: "billing-export" }),
            },
            { name: "other-parameter", record: apiCallRecord("ssm.amazonaws.com", "PutParameter", { name: "/billing/threshold" }) },
        ],
    },
});
