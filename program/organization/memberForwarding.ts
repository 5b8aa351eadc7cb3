/**
 * The organization mode: every member account of the covered units forwards its events to the
 * stack's bus from every covered region, through a CloudFormation StackSet with service-managed
 * permissions, so an account that joins a unit forwards without anyone running `pulumi up`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { STACK_SET_OPERATION_PREFERENCES } from "../../shared/contract";
import type { AwsEnv } from "../documents";
import { childName, componentName, organizationInstanceName } from "../names";
import { organizationBusPolicy } from "./busPolicy";
import { driftCheck } from "./driftCheck";
import { memberTemplate } from "./memberTemplate";
import { memberRolePath, stackSetName } from "./names";
import type { OrganizationSettings } from "./settings";

export interface OrganizationForwardingArgs {
    organization: OrganizationSettings;
    /** The regions each member account forwards from. */
    regions: readonly string[];
    /** The fast path's patterns: the member accounts' rules are the stack's own regional rules. */
    patterns: ReadonlyArray<Record<string, unknown>>;
    bus: aws.cloudwatch.EventBus;
    /** The function, which checks the StackSet's drift on a schedule, and its role. */
    fn: { arn: pulumi.Input<string>; roleArn: pulumi.Input<string> };
    env: AwsEnv;
    physical: string;
}

/** The StackSet's operation preferences, which its drift detections use too (shared/contract.ts). */
export const OPERATION_PREFERENCES = STACK_SET_OPERATION_PREFERENCES;

export class OrganizationForwarding extends pulumi.ComponentResource {
    readonly busPolicy: aws.cloudwatch.EventBusPolicy;
    readonly stackSet: aws.cloudformation.StackSet;
    readonly instances: Record<string, aws.cloudformation.StackSetInstance> = {};
    /** Invokes the function hourly to check the StackSet's drift. */
    readonly driftCheckSchedule: aws.scheduler.Schedule;

    constructor(name: string, args: OrganizationForwardingArgs, opts: pulumi.ComponentResourceOptions) {
        super("console-login-alerts:index:OrganizationForwarding", componentName(name, "organization"), {}, opts);
        const parent = { parent: this };
        const { organization, physical } = args;
        const rolePath = memberRolePath(physical);
        this.busPolicy = new aws.cloudwatch.EventBusPolicy(
            childName(name, "organization-bus-policy"),
            {
                eventBusName: args.bus.name,
                policy: pulumi
                    .all([args.bus.arn, args.env.partition])
                    .apply(([arn, partition]) => JSON.stringify(organizationBusPolicy(arn, organization.id, partition, rolePath))),
            },
            parent,
        );
        this.stackSet = new aws.cloudformation.StackSet(
            childName(name, "organization-stack-set"),
            {
                name: stackSetName(physical),
                description: "console-login-alerts: forwards member accounts' console sign-ins to the security account's bus.",
                permissionModel: "SERVICE_MANAGED",
                callAs: organization.callAs,
                // A new account of a covered unit gets its stack instances; one that leaves loses them.
                autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
                // The template names its role (CloudFormation User Guide, "Acknowledging IAM resources").
                capabilities: ["CAPABILITY_NAMED_IAM"],
                // Without it, the regions' instances (one operation each) would refuse one another with
                // OperationInProgressException; with it, CloudFormation queues what conflicts.
                managedExecution: { active: true },
                operationPreferences: OPERATION_PREFERENCES,
                templateBody: args.bus.arn.apply((busArn) =>
                    JSON.stringify(memberTemplate({ patterns: args.patterns, busArn, physical, rolePath })),
                ),
            },
            { ...parent, dependsOn: [this.busPolicy] },
        );
        for (const region of args.regions) {
            this.instances[region] = new aws.cloudformation.StackSetInstance(
                organizationInstanceName(name, region),
                {
                    stackSetName: this.stackSet.name,
                    callAs: organization.callAs,
                    stackSetInstanceRegion: region,
                    deploymentTargets: deploymentTargets(organization, args.env.account),
                    operationPreferences: OPERATION_PREFERENCES,
                    retainStack: false,
                },
                parent,
            );
        }
        this.driftCheckSchedule = driftCheck(name, { organization, stackSet: this.stackSet, fn: args.fn, env: args.env }, this);
        this.registerOutputs({ busPolicy: this.busPolicy, stackSet: this.stackSet, driftCheckSchedule: this.driftCheckSchedule });
    }
}

/**
 * The covered units. Service-managed StackSets never deploy to the management account (CloudFormation
 * User Guide, "StackSets concepts"), which keeps the stack's own regional rules; a delegated
 * administrator is an ordinary member, so it is left out here, where the stack's own rules serve it.
 */
function deploymentTargets(
    organization: OrganizationSettings,
    account: pulumi.Output<string>,
): aws.types.input.cloudformation.StackSetInstanceDeploymentTargets {
    if (organization.callAs === "SELF") {
        return { organizationalUnitIds: organization.units };
    }
    return { organizationalUnitIds: organization.units, accountFilterType: "DIFFERENCE", accounts: [account] };
}
