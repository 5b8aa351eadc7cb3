import { defineRule } from "./definition";

export const rootActivity = defineRule({
    id: "root-activity",
    severity: "critical",
    titles: { en: "Root user activity", ja: "ルートユーザーのアクティビティ" },
    summary: {
        en: "Any root activity not invoked by an AWS service and not an `AwsServiceEvent`, sign-in included.",
        ja: "root によるサインインや操作（AWS のサービスが root に代わって行ったものを除く）。root は通常使わないため、心当たりがなければ直ちに調査してください。",
    },
    pattern: '{ ($.userIdentity.type = "Root") && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType != "AwsServiceEvent") }',
    // Security Hub CloudWatch.1, verbatim.
    cis: {
        pattern: '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
        matches: ["root-no-mfa", "root-mfa", "root-api-call"],
    },
    examples: {
        matches: ["root-no-mfa", "root-mfa", "root-api-call"],
        // Done by a service on root's behalf, or a service's own event: not something a person did as root.
        nearMisses: ["root-invoked-by-service", "root-service-event", "iam-user-mfa"],
    },
});
