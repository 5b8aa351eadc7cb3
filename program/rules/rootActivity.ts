import { defineRule } from "./definition";
import { apiCallRecord } from "./records";

/**
 * Root's API calls made through the console carry `userIdentity.invokedBy: "signin.amazonaws.com"`
 * (CloudTrail User Guide, "CloudTrail log event reference": its sample record of a console
 * `StartLogging` names `signin.amazonaws.com` in both `invokedBy` and `userAgent`). The CIS
 * CloudWatch.1 pattern asks for `invokedBy NOT EXISTS`, so root creating an access key in the
 * console would go unreported; the default pattern takes those calls too, and still leaves out what
 * another service does on root's behalf (`invokedBy` naming that service).
 */
export const rootActivity = defineRule({
    id: "root-activity",
    severity: "critical",
    titles: { en: "Root user activity", ja: "ルートユーザーのアクティビティ" },
    summary: {
        en: "Any root activity, sign-in and console API calls included, that is not done by another AWS service on root's behalf and is not an `AwsServiceEvent`.",
        ja: "root によるサインインや操作（コンソールからの API 呼び出しを含み、AWS のサービスが root に代わって行ったものを除く）。root は通常使わないため、心当たりがなければ直ちに調査してください。",
    },
    pattern:
        '{ ($.userIdentity.type = "Root") && (($.userIdentity.invokedBy NOT EXISTS) || ($.userIdentity.invokedBy = "signin.amazonaws.com")) && ($.eventType != "AwsServiceEvent") }',
    // Security Hub CloudWatch.1, verbatim: the control looks for this exact filter.
    cis: {
        pattern: '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
        matches: ["root-no-mfa", "root-mfa", "root-api-call"],
    },
    examples: {
        matches: [
            "root-no-mfa",
            "root-mfa",
            "root-api-call",
            {
                name: "root-console-create-access-key",
                record: apiCallRecord(
                    "iam.amazonaws.com",
                    "CreateAccessKey",
                    {},
                    {
                        userIdentity: {
                            type: "Root",
                            principalId: "111122223333",
                            arn: "arn:aws:iam::111122223333:root",
                            accountId: "111122223333",
                            invokedBy: "signin.amazonaws.com",
                        },
                        userAgent: "signin.amazonaws.com",
                    },
                ),
            },
        ],
        // Done by a service on root's behalf, or a service's own event: not something a person did as root.
        nearMisses: ["root-invoked-by-service", "root-service-event", "iam-user-mfa"],
    },
});
