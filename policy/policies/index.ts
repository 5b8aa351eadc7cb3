/**
 * Every policy of the pack, in the order the pack lists them. Each lives in its own file as an
 * exported const, so tests import the one they check; ../index.ts builds the PolicyPack from this list.
 *
 * Policies find resources by type token (../lib/types.ts), not by @pulumi/aws classes, so the
 * published pack does not install the AWS provider's SDK.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { exemptable } from "../lib/exemptions";
import { alarmTopicUsableByCloudWatch } from "./alarmTopicUsableByCloudWatch";
import { alarmsHaveActions } from "./alarmsHaveActions";
import { alertLambdaHasFailureDestination } from "./alertLambdaHasFailureDestination";
import { alertLambdaInvocable } from "./alertLambdaInvocable";
import { fastPathCoversTrailRegions } from "./fastPathCoversTrailRegions";
import { logRetentionSet } from "./logRetentionSet";
import { noWildcardIam } from "./noWildcardIam";
import { signInAlertsCanFire } from "./signInAlertsCanFire";
import { slackWebhookInSecret } from "./slackWebhookInSecret";
import { trailCoversAllRegions } from "./trailCoversAllRegions";
import { trailLogsToCloudWatch } from "./trailLogsToCloudWatch";
import { trailRecordsSignIns } from "./trailRecordsSignIns";

// Every policy is wrapped here, not in its own file, so none can be registered without the
// `exemptions` config property (see ../lib/exemptions.ts). Tests that import a policy's file
// directly check its rule; test/policy.exemptions.spec.ts checks the wrapped list.
export const policies: Array<ResourceValidationPolicy | StackValidationPolicy> = [
    trailLogsToCloudWatch,
    slackWebhookInSecret,
    trailCoversAllRegions,
    logRetentionSet,
    alarmsHaveActions,
    alarmTopicUsableByCloudWatch,
    alertLambdaHasFailureDestination,
    alertLambdaInvocable,
    noWildcardIam,
    fastPathCoversTrailRegions,
    trailRecordsSignIns,
    signInAlertsCanFire,
].map(exemptable);
