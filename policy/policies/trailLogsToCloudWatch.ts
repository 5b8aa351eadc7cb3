import type { PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { ofType, referenced, rolePolicyStatements, sameAs } from "../lib/graph";
import { NOT_YET_KNOWN, isSet, read, readString, type NotYetKnown } from "../lib/props";
import { feedsSignInAlerts, trailLogGroups } from "../lib/signInFilters";
import type { Statement } from "../lib/iam";
import {
    PLACEHOLDER_ACCOUNT,
    identityPoliciesAllow,
    knownStatements,
    resourcePolicyAllows,
    resourcePolicyMayAllow,
    trustsAnyone,
    type Request,
} from "../lib/simulate";
import { AWS } from "../lib/types";

const LOG_GROUP_ARN_FOR_TRAIL = /^arn:[\w-]+:logs:[\w-]+:\d{12}:log-group:[^:]+:\*$/;
const CLOUDTRAIL = "cloudtrail.amazonaws.com";

/**
 * Which trails the policy checks: a trail feeding sign-in alerts (a sign-in metric filter of the
 * stack reads its log group) must deliver to CloudWatch Logs; any other trail is checked only if it
 * sets cloudWatchLogsGroupArn or cloudWatchLogsRoleArn, and then only that what it sets can work.
 */
function inScope(resources: PolicyResource[], trail: PolicyResource): { alerts: boolean } | undefined {
    const alerts = feedsSignInAlerts(resources, trail);
    const delivers = ["cloudWatchLogsGroupArn", "cloudWatchLogsRoleArn"].some((p) => isSet(read(trail.props, p)));
    return alerts || delivers ? { alerts } : undefined;
}

/**
 * Reports a trail's missing or malformed CloudWatch Logs settings; true when both are set. A trail
 * that does not feed sign-in alerts is held only to what it sets: a well-formed group ARN, and a
 * role to go with it.
 */
function checkTrailSettings(trail: PolicyResource, alerts: boolean, reportViolation: ReportViolation): boolean {
    const groupArn = readString(trail.props, "cloudWatchLogsGroupArn");
    const roleArn = readString(trail.props, "cloudWatchLogsRoleArn");
    if (!isSet(groupArn) && alerts) {
        reportViolation(
            `Trail "${trail.name}" does not deliver its events to CloudWatch Logs, so no metric filter or alarm ever sees a console sign-in; ` +
                `set cloudWatchLogsGroupArn to the log group's ARN followed by ":*".`,
            trail.urn,
        );
    } else if (typeof groupArn === "string" && !LOG_GROUP_ARN_FOR_TRAIL.test(groupArn)) {
        reportViolation(
            `Trail "${trail.name}" has cloudWatchLogsGroupArn "${groupArn}", which is not a log group ARN ending in ":*", and CloudTrail rejects it; ` +
                `set it to the log group's ARN followed by ":*".`,
            trail.urn,
        );
    }
    if (!isSet(roleArn) && (alerts || isSet(groupArn))) {
        reportViolation(
            `Trail "${trail.name}" has no cloudWatchLogsRoleArn, so CloudTrail cannot write to a log group; ` +
                `set it to the ARN of a role that cloudtrail.amazonaws.com can assume and that allows logs:PutLogEvents on the group.`,
            trail.urn,
        );
    }
    return isSet(groupArn) && isSet(roleArn);
}

const ARN_PARTS = /^arn:([\w-]+):[\w-]*:([\w-]*):(\d{12}|):/;

/** Partitions, regions and accounts named by known ARNs and by ARN strings inside a document. */
function arnParts(values: unknown[]): { partitions: Set<string>; regions: Set<string>; accounts: Set<string> } {
    const out = { partitions: new Set<string>(), regions: new Set<string>(), accounts: new Set<string>() };
    const texts = values.filter((v): v is string => typeof v === "string");
    for (const text of texts) {
        for (const arn of text.match(/arn:[\w-]+:[\w-]*:[\w-]*:\d{0,12}:/g) ?? []) {
            const [, partition = "", region = "", account = ""] = ARN_PARTS.exec(arn) ?? [];
            for (const [set, value] of [
                [out.partitions, partition],
                [out.regions, region],
                [out.accounts, account],
            ] as const) {
                if (value) {
                    set.add(value);
                }
            }
        }
    }
    return out;
}

/**
 * The ARNs the trail may have: its `arn` once known; before that (a preview), its `name` in each
 * region and account the stack's known ARNs or the trust policy name. Empty when nothing is known.
 */
function trailArnCandidates(trail: PolicyResource, role: PolicyResource, trustText: string): string[] {
    const arn = readString(trail.props, "arn");
    if (typeof arn === "string") {
        return [arn];
    }
    const name = readString(trail.props, "name");
    if (typeof name !== "string" || name.startsWith("arn:")) {
        return [];
    }
    const own = [readString(trail.props, "cloudWatchLogsGroupArn"), readString(role.props, "arn"), readString(trail.props, "region")];
    const parts = arnParts([...own, trustText]);
    const region = readString(trail.props, "region");
    const regions = typeof region === "string" ? [region] : [...parts.regions];
    const partitions = parts.partitions.size > 0 ? [...parts.partitions] : ["aws"];
    return partitions.flatMap((p) => regions.flatMap((r) => [...parts.accounts].map((a) => `arn:${p}:cloudtrail:${r}:${a}:trail/${name}`)));
}

function roleArnOf(role: PolicyResource, account: string): string {
    const arn = readString(role.props, "arn");
    const name = readString(role.props, "name");
    return typeof arn === "string" ? arn : `arn:aws:iam::${account}:role/${typeof name === "string" ? name : role.name}`;
}

async function cloudTrailMayAssume(
    trust: Statement[],
    role: PolicyResource,
    candidates: string[],
): Promise<"yes" | "no" | "not-this-trail"> {
    for (const trailArn of candidates) {
        const account = trailArn.split(":")[4] ?? "";
        const request: Request = {
            principal: CLOUDTRAIL,
            action: "sts:AssumeRole",
            resource: roleArnOf(role, account),
            account,
            context: { "aws:SourceArn": trailArn, "aws:SourceAccount": account },
        };
        if ((await resourcePolicyAllows(trust, request)) === "allowed") {
            return "yes";
        }
    }
    // With the trail's ARN unknown (a first preview), conditions are given the benefit of the doubt;
    // otherwise this tells a role CloudTrail may never assume from one it may assume for another trail.
    const someTrail = await resourcePolicyMayAllow(trust, {
        principal: CLOUDTRAIL,
        action: "sts:AssumeRole",
        resource: roleArnOf(role, PLACEHOLDER_ACCOUNT),
        account: PLACEHOLDER_ACCOUNT,
    });
    if (someTrail !== "allowed") {
        return "no";
    }
    return candidates.length > 0 ? "not-this-trail" : "yes";
}

async function checkRoleTrust(trail: PolicyResource, role: PolicyResource, reportViolation: ReportViolation): Promise<void> {
    const document = read(role.props, "assumeRolePolicy");
    const trust = knownStatements(document);
    if (trust === NOT_YET_KNOWN) {
        return;
    }
    const candidates = trailArnCandidates(trail, role, typeof document === "string" ? document : JSON.stringify(trust));
    const account = candidates[0]?.split(":")[4] || PLACEHOLDER_ACCOUNT;
    if (await trustsAnyone(trust, roleArnOf(role, account), account)) {
        reportViolation(
            `Role "${role.name}" delivers trail "${trail.name}" to CloudWatch Logs, but its assumeRolePolicy lets any principal ("*") assume it, ` +
                `so anyone in any AWS account can write events into the trail's log group; name only the principal { Service: "cloudtrail.amazonaws.com" }, ` +
                `with an aws:SourceArn condition on the trail's ARN.`,
            role.urn,
        );
    }
    const verdict = await cloudTrailMayAssume(trust, role, candidates);
    if (verdict === "no") {
        reportViolation(
            `Role "${role.name}" delivers trail "${trail.name}" to CloudWatch Logs, but its assumeRolePolicy does not let cloudtrail.amazonaws.com assume it; ` +
                `add an Allow statement for sts:AssumeRole with the principal { Service: "cloudtrail.amazonaws.com" }.`,
            role.urn,
        );
    } else if (verdict === "not-this-trail") {
        reportViolation(
            `Role "${role.name}" delivers trail "${trail.name}" to CloudWatch Logs, but its assumeRolePolicy lets cloudtrail.amazonaws.com assume it only ` +
                `for another trail (its aws:SourceArn or aws:SourceAccount condition does not match this trail), so CloudTrail cannot deliver; ` +
                `set the condition to this trail's ARN.`,
            role.urn,
        );
    }
}

/** The ARN of the log group the trail writes to: the group's own once known, else the trail's setting without ":*". */
function groupArnOf(trail: PolicyResource, group: PolicyResource | undefined): string | NotYetKnown {
    const own = group ? readString(group.props, "arn") : undefined;
    if (typeof own === "string") {
        return own.replace(/:\*$/, "");
    }
    const fromTrail = readString(trail.props, "cloudWatchLogsGroupArn");
    return typeof fromTrail === "string" && LOG_GROUP_ARN_FOR_TRAIL.test(fromTrail) ? fromTrail.replace(/:\*$/, "") : NOT_YET_KNOWN;
}

// CloudTrail creates its stream, then writes to it; both actions are needed on the group's streams.
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html
const WRITE_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"];

async function checkRoleWrites(
    resources: PolicyResource[],
    trail: PolicyResource,
    role: PolicyResource,
    group: PolicyResource | undefined,
    reportViolation: ReportViolation,
): Promise<void> {
    const groupArn = groupArnOf(trail, group);
    const statements = rolePolicyStatements(resources, role);
    if (groupArn === NOT_YET_KNOWN || statements === NOT_YET_KNOWN) {
        return;
    }
    // CloudTrail names its streams <account>_CloudTrail_<region>.
    const [, , , region = "", account = ""] = groupArn.split(":");
    const streamArn = `${groupArn}:log-stream:${account}_CloudTrail_${region}`;
    const missing: string[] = [];
    for (const action of WRITE_ACTIONS) {
        const request = { principal: roleArnOf(role, account), action, resource: streamArn, account };
        if ((await identityPoliciesAllow(statements, request)) !== "allowed") {
            missing.push(action);
        }
    }
    if (missing.length > 0) {
        const groupName = group?.name ?? groupArn.split(":log-group:")[1] ?? groupArn;
        reportViolation(
            `Role "${role.name}" delivers trail "${trail.name}" to log group "${groupName}", but none of its policies allows ${missing.join(" or ")} on that group; ` +
                `add a role policy allowing logs:CreateLogStream and logs:PutLogEvents on the group's ARN followed by ":log-stream:*".`,
            role.urn,
        );
    }
}

async function checkTrail(resources: PolicyResource[], trail: PolicyResource, reportViolation: ReportViolation): Promise<void> {
    const scope = inScope(resources, trail);
    if (!scope) {
        return;
    }
    if (!checkTrailSettings(trail, scope.alerts, reportViolation)) {
        return;
    }
    const [group] = trailLogGroups(resources, trail);
    const [role] = referenced(trail, "cloudWatchLogsRoleArn", ofType(resources, AWS.role), sameAs(["arn"]));
    if (!role) {
        // A role from outside the stack: the pack cannot read its policies.
        return;
    }
    await checkRoleTrust(trail, role, reportViolation);
    await checkRoleWrites(resources, trail, role, group, reportViolation);
}

// Mandatory: each finding is a trail that, by the documents in force, cannot deliver a single event
// to its log group (or lets anyone write there), while nothing reports an error.
export const trailLogsToCloudWatch: StackValidationPolicy = {
    name: "trail-logs-to-cloudwatch",
    description:
        "A CloudTrail trail that feeds sign-in alerts, or that names a CloudWatch Logs log group or role, delivers its events to that log group through a role that only CloudTrail can assume and that may write to the group.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Set the trail's cloudWatchLogsGroupArn to the log group's ARN followed by \":*\" and cloudWatchLogsRoleArn to a role whose trust policy " +
        "allows only cloudtrail.amazonaws.com to call sts:AssumeRole (for this trail, if it has an aws:SourceArn condition) and whose policy allows " +
        'logs:CreateLogStream and logs:PutLogEvents on the group\'s ARN followed by ":log-stream:*".',
    validateStack: async (args, reportViolation) => {
        for (const trail of ofType(args.resources, AWS.trail)) {
            await checkTrail(args.resources, trail, reportViolation);
        }
    },
};
