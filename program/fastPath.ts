/**
 * The fast path: CloudTrail's events reach EventBridge within seconds, in the region where the
 * call was recorded, so every enabled region gets a rule on its default bus that forwards sign-ins
 * to one bus in the stack's region, whose rule invokes the notifier's function.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, forwardingPolicy, type AwsEnv } from "./documents";
import { childName, componentName, regionChildName } from "./names";
import { watchedEventNames } from "./watchList";
import type { Notifier } from "./notifier";

/**
 * Console sign-ins and the root user's API calls, as CloudTrail delivers them to EventBridge.
 * Sign-ins have `source: aws.signin` and detail-type "AWS Console Sign In via CloudTrail" (EventBridge
 * Events Reference, "AWS Sign-In events"; EventBridge User Guide, "AWS service events delivered via
 * AWS CloudTrail"); root activity is any "AWS API Call via CloudTrail" whose
 * `detail.userIdentity.type` is Root, whatever its source. CloudTrail delivers them best effort, in
 * the region where the call was recorded: root sign-ins in us-east-1, IAM users' through the global
 * endpoint in us-east-1, us-east-2, eu-north-1 or ap-southeast-2, regional endpoints in their own
 * region (CloudTrail User Guide, "AWS Management Console sign-in events"). `$or` across fields is
 * EventBridge content filtering (EventBridge User Guide, "Content filtering in event patterns").
 *
 * The calls the tampering rules watch come too (program/watchList.ts, the same table): they are write
 * management events, which CloudTrail delivers to EventBridge as "AWS API Call via CloudTrail"
 * (EventBridge User Guide, "AWS service events delivered via AWS CloudTrail": read-only calls —
 * List, Get, Describe — are not delivered). The branch names the calls only, with prefix and
 * wildcard matching (EventBridge User Guide, "Content filtering in event patterns"); the function's
 * own evaluation of the rules' patterns decides whether one touched this stack, so a DeleteRule
 * elsewhere is forwarded and then dropped.
 * IAM Identity Center sign-ins are not API calls but service events (`eventType: AwsServiceEvent`;
 * IAM Identity Center User Guide, "Understanding sign-in events"), which CloudTrail delivers to the
 * default bus as "AWS Service Event via CloudTrail" (EventBridge User Guide, "AWS service events
 * delivered via AWS CloudTrail"), with the source named after the eventSource: `aws.signin`, or
 * `aws.sso` for the newer records. Only `UserAuthentication` is taken: it is the one event the
 * rules read, logged once a sign-in's every credential was verified.
 */

/**
 * Every AWS service's source, and nobody else's: PutEvents refuses a source beginning `aws.`
 * (NotAuthorizedForSourceException; EventBridge Scheduler API Reference,
 * "EventBridgePutEventsV2Parameters": "The source can't start with the aws. prefix"). Without it,
 * anyone allowed events:PutEvents could forward a forged root sign-in or tampering call.
 */
const AWS_SOURCES = [{ prefix: "aws." }];

// Both comments above describe this pattern.
export const FAST_PATH_PATTERN = {
    $or: [
        { source: ["aws.signin"], "detail-type": ["AWS Console Sign In via CloudTrail"] },
        { source: AWS_SOURCES, "detail-type": ["AWS API Call via CloudTrail"], detail: { userIdentity: { type: ["Root"] } } },
        {
            source: ["aws.signin", "aws.sso"],
            "detail-type": ["AWS Service Event via CloudTrail"],
            detail: { eventName: ["UserAuthentication"] },
        },
        {
            source: AWS_SOURCES,
            "detail-type": ["AWS API Call via CloudTrail"],
            detail: {
                eventName: watchedEventNames(),
            },
        },
    ],
};

/** The regions AWS enables in an account without asking, and those the account opted in to. */
export const ENABLED_REGIONS_FILTER: aws.GetRegionsArgs = {
    filters: [{ name: "opt-in-status", values: ["opt-in-not-required", "opted-in"] }],
};

/**
 * The regions the fast path covers: those configured, or else every region the account has enabled,
 * asked of AWS at deploy time, so the next `pulumi up` covers a region enabled since.
 */
export async function fastPathRegions(settings: { fastPath: boolean; fastPathRegions: readonly string[] }): Promise<string[]> {
    if (!settings.fastPath) {
        return [];
    }
    if (settings.fastPathRegions.length > 0) {
        return [...settings.fastPathRegions];
    }
    return [...(await aws.getRegions(ENABLED_REGIONS_FILTER)).names].sort();
}

export interface FastPathArgs {
    /** The regions whose default bus forwards sign-ins. */
    regions: readonly string[];
    env: AwsEnv;
    /** Physical prefix of names that must be known before creation. */
    physical: string;
    /** The notifier whose function the central bus invokes. */
    notifier: Notifier;
}

/**
 * A rule on each region's default bus forwarding to one bus in the stack's region (the home
 * region too, so every region is alike), one role EventBridge assumes to put events on that bus,
 * and the bus's rule invoking the notifier's function.
 */
export class FastPath extends pulumi.ComponentResource {
    readonly bus: aws.cloudwatch.EventBus;
    readonly rule: aws.cloudwatch.EventRule;
    readonly role: aws.iam.Role;
    /** Region → the rule on that region's default bus. */
    readonly regionRules: Record<string, aws.cloudwatch.EventRule> = {};

    constructor(name: string, args: FastPathArgs, opts: pulumi.ComponentResourceOptions) {
        super("console-login-alerts:index:FastPath", componentName(name, "fast-path"), {}, opts);
        const parent = { parent: this };
        const eventPattern = JSON.stringify(FAST_PATH_PATTERN);
        this.bus = new aws.cloudwatch.EventBus(childName(name, "fast-path-bus"), { name: `${args.physical}-sign-ins` }, parent);
        this.rule = new aws.cloudwatch.EventRule(
            childName(name, "fast-path-rule"),
            { description: "Console sign-ins forwarded from every region.", eventBusName: this.bus.name, eventPattern },
            parent,
        );
        const invoke = args.notifier.allowInvoke(childName(name, "fast-path-invoke"), "events.amazonaws.com", this.rule.arn, parent);
        new aws.cloudwatch.EventTarget(
            childName(name, "fast-path-target"),
            { rule: this.rule.name, eventBusName: this.bus.name, arn: args.notifier.function.arn },
            { ...parent, dependsOn: [invoke] },
        );
        // Only this account's rules may use the role (the confused-deputy guard EventBridge honours).
        this.role = new aws.iam.Role(
            childName(name, "fast-path-role"),
            {
                assumeRolePolicy: pulumi.jsonStringify(
                    assumeRolePolicy("events.amazonaws.com", { StringEquals: { "aws:SourceAccount": args.env.account } }),
                ),
            },
            parent,
        );
        const policy = new aws.iam.RolePolicy(
            childName(name, "fast-path-policy"),
            { role: this.role.id, policy: pulumi.jsonStringify(forwardingPolicy(this.bus.arn)) },
            parent,
        );
        // Each region's rule and target name their region on the default provider (@pulumi/aws 7,
        // "enhanced region support") rather than through a provider of their own: an explicit provider
        // takes none of the stack's aws:profile, aws:assumeRoles, aws:allowedAccountIds or
        // aws:defaultTags (pulumi/pulumi-aws#1307), so its resources could land in another account.
        for (const region of args.regions) {
            const rule = new aws.cloudwatch.EventRule(
                regionChildName(name, region, "rule"),
                { region, description: `Console sign-ins recorded in ${region}, forwarded to the stack's region.`, eventPattern },
                parent,
            );
            new aws.cloudwatch.EventTarget(
                regionChildName(name, region, "target"),
                { region, rule: rule.name, arn: this.bus.arn, roleArn: this.role.arn },
                { ...parent, dependsOn: [policy] },
            );
            this.regionRules[region] = rule;
        }
        this.registerOutputs({ bus: this.bus, rule: this.rule, role: this.role });
    }
}
