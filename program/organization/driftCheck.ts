/**
 * The drift check of the organization's StackSet: EventBridge Scheduler invokes the function every
 * hour with a DriftCheckRequest, and the function starts a drift detection once a day and reports
 * the drifted stack instances once it has ended (handler/ingest/drift.ts). It exists only where
 * the stack serves an organization, with the permissions it needs beside the function's own.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DriftCheckRequest } from "../../shared/contract";
import { assumeRolePolicy, driftCheckPolicy, invokeFunctionPolicy, type AwsEnv } from "../documents";
import { childName } from "../names";
import type { OrganizationSettings } from "./settings";

/**
 * How often the function looks at the drift check: hourly, so a detection is reported within an
 * hour of its end however long it runs, and a detection that could not start (another operation of
 * the StackSet held it) is tried again within the hour. How often one starts is the function's.
 */
export const DRIFT_CHECK_SCHEDULE = "rate(1 hour)";

export interface DriftCheckArgs {
    organization: OrganizationSettings;
    stackSet: aws.cloudformation.StackSet;
    /** The function the schedule invokes, and its role, which the drift check's permissions are added to. */
    fn: { arn: pulumi.Input<string>; roleArn: pulumi.Input<string> };
    env: AwsEnv;
}

/** A role's name: what follows the last `/` of its ARN (IAM User Guide, "IAM identifiers": `arn:aws:iam::<account>:role/<path><name>`). */
export function roleNameOf(roleArn: string): string {
    return roleArn.slice(roleArn.lastIndexOf("/") + 1);
}

/**
 * The StackSet's ARN as IAM authorizes calls on it. A delegated administrator's StackSet lives in
 * the management account all the same (CloudFormation User Guide, "Register a delegated
 * administrator member account"), whose id such a stack may not know: any account, this name.
 */
export function stackSetArn(env: AwsEnv, organization: OrganizationSettings, name: pulumi.Input<string>): pulumi.Output<string> {
    const account = organization.callAs === "DELEGATED_ADMIN" ? "*" : env.account;
    return pulumi.interpolate`arn:${env.partition}:cloudformation:${env.region}:${account}:stackset/${name}:*`;
}

/**
 * The schedule and its role (this account's schedules alone may assume it, and it may invoke the
 * function and nothing else: EventBridge Scheduler User Guide, "Set up the execution role"), and
 * the function's permissions on the StackSet. The schedule waits for both policies, so its first
 * invocation is allowed what it does.
 */
export function driftCheck(name: string, args: DriftCheckArgs, parent: pulumi.Resource): aws.scheduler.Schedule {
    const { env, organization } = args;
    const permissions = new aws.iam.RolePolicy(
        childName(name, "organization-function-policy"),
        {
            role: pulumi.output(args.fn.roleArn).apply(roleNameOf),
            policy: pulumi.jsonStringify(
                driftCheckPolicy({
                    stackSetArn: stackSetArn(env, organization, args.stackSet.name),
                    delegatedAdministrator: organization.callAs === "DELEGATED_ADMIN",
                }),
            ),
        },
        { parent },
    );
    const role = new aws.iam.Role(
        childName(name, "organization-drift-check-role"),
        {
            assumeRolePolicy: pulumi.jsonStringify(
                assumeRolePolicy("scheduler.amazonaws.com", { StringEquals: { "aws:SourceAccount": env.account } }),
            ),
        },
        { parent },
    );
    const invoke = new aws.iam.RolePolicy(
        childName(name, "organization-drift-check-policy"),
        { role: role.id, policy: pulumi.jsonStringify(invokeFunctionPolicy(args.fn.arn)) },
        { parent },
    );
    const request = args.stackSet.name.apply((stackSetName) => {
        const input: DriftCheckRequest = { loginAlertsDriftCheck: stackSetName, callAs: organization.callAs };
        return JSON.stringify(input);
    });
    return new aws.scheduler.Schedule(
        childName(name, "organization-drift-check-schedule"),
        {
            description: "Checks the organization's StackSet for drift: a detection a day, reported when it ends.",
            scheduleExpression: DRIFT_CHECK_SCHEDULE,
            flexibleTimeWindow: { mode: "OFF" },
            target: { arn: args.fn.arn, roleArn: role.arn, input: request },
        },
        { parent, dependsOn: [permissions, invoke] },
    );
}
