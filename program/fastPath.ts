/**
 * The fast path: CloudTrail's events reach EventBridge within seconds, in the region where the
 * call was recorded, so every enabled region gets a rule on its default bus that forwards sign-ins
 * to one bus in the stack's region, whose rule invokes the notifier's function.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, forwardingPolicy, type AwsEnv } from "./documents";
import { AWS_SOURCES, CLOUDTRAIL_DETAIL_TYPES } from "./fastPathPatterns";
import { childName, componentName, regionChildName } from "./names";
import type { Notifier } from "./notifier";

/**
 * What reaches the central bus: only the regional rules put events on it (the role below may put
 * nothing else), and they forward only CloudTrail's records; the function judges each.
 */
export const CENTRAL_PATTERN = { source: AWS_SOURCES, "detail-type": CLOUDTRAIL_DETAIL_TYPES };

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
    /** The EventBridge patterns of each region's rules (program/fastPathPatterns.ts), one rule each. */
    patterns: ReadonlyArray<Record<string, unknown>>;
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
    /** Region → the rules on that region's default bus. */
    readonly regionRules: Record<string, aws.cloudwatch.EventRule[]> = {};

    constructor(name: string, args: FastPathArgs, opts: pulumi.ComponentResourceOptions) {
        super("console-login-alerts:index:FastPath", componentName(name, "fast-path"), {}, opts);
        const parent = { parent: this };
        this.bus = new aws.cloudwatch.EventBus(childName(name, "fast-path-bus"), { name: `${args.physical}-sign-ins` }, parent);
        this.rule = new aws.cloudwatch.EventRule(
            childName(name, "fast-path-rule"),
            {
                description: "Console sign-ins forwarded from every region.",
                eventBusName: this.bus.name,
                eventPattern: JSON.stringify(CENTRAL_PATTERN),
            },
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
        // Each region's rules and targets name their region on the default provider (@pulumi/aws 7,
        // "enhanced region support") rather than through a provider of their own: an explicit provider
        // takes none of the stack's aws:profile, aws:assumeRoles, aws:allowedAccountIds or
        // aws:defaultTags (pulumi/pulumi-aws#1307), so its resources could land in another account.
        for (const region of args.regions) {
            this.regionRules[region] = args.patterns.map((pattern, index) => {
                const rule = new aws.cloudwatch.EventRule(
                    regionChildName(name, region, "rule", index),
                    {
                        region,
                        description: `Console sign-ins and the stack's other rules' events recorded in ${region}, forwarded to the stack's region.`,
                        eventPattern: JSON.stringify(pattern),
                    },
                    parent,
                );
                new aws.cloudwatch.EventTarget(
                    regionChildName(name, region, "target", index),
                    { region, rule: rule.name, arn: this.bus.arn, roleArn: this.role.arn },
                    { ...parent, dependsOn: [policy] },
                );
                return rule;
            });
        }
        this.registerOutputs({ bus: this.bus, rule: this.rule, role: this.role });
    }
}
