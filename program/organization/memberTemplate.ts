/**
 * The CloudFormation template the StackSet deploys to every member account and region: the same
 * EventBridge patterns as the stack's own regional rules (program/fastPathPatterns.ts), each on a
 * rule of the account's default bus whose target is the stack's bus, and the role EventBridge
 * assumes to put the events there.
 */
import { memberRoleNameSub, memberRuleName } from "./names";

export interface MemberTemplateArgs {
    /** The fast path's patterns, one rule each, as the stack's own regions have them. */
    patterns: ReadonlyArray<Record<string, unknown>>;
    /** The stack's bus, in the stack's account and region. */
    busArn: string;
    physical: string;
    rolePath: string;
}

/** A CloudFormation template, as the JSON CloudFormation reads. */
export interface Template {
    AWSTemplateFormatVersion: "2010-09-09";
    Description: string;
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

export const ROLE_LOGICAL_ID = "ForwardingRole";

export function ruleLogicalId(index: number): string {
    return `ForwardingRule${index + 1}`;
}

function forwardingRole(args: MemberTemplateArgs): Template["Resources"][string] {
    return {
        Type: "AWS::IAM::Role",
        Properties: {
            Description: "Lets this account's forwarding rules put console sign-ins on the security account's bus.",
            RoleName: { "Fn::Sub": memberRoleNameSub(args.physical) },
            Path: args.rolePath,
            // Only this account's rules may use the role (the confused-deputy guard EventBridge honours).
            AssumeRolePolicyDocument: {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: "events.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
                    },
                ],
            },
            Policies: [
                {
                    PolicyName: "put-events-on-the-security-bus",
                    PolicyDocument: {
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Action: "events:PutEvents", Resource: args.busArn }],
                    },
                },
            ],
        },
    };
}

/**
 * A rule per pattern. Its name is fixed, so the watch list can name it in every account; the
 * target carries the role because the bus admits the organization, not an account, and EventBridge
 * then takes the role from the target (CloudFormation, AWS::Events::Rule, `RoleArn`).
 */
function forwardingRule(args: MemberTemplateArgs, pattern: Record<string, unknown>, index: number): Template["Resources"][string] {
    return {
        Type: "AWS::Events::Rule",
        Properties: {
            Name: memberRuleName(args.physical, index),
            Description: "Console sign-ins and the security stack's other events, forwarded to the security account's bus.",
            EventPattern: pattern,
            State: "ENABLED",
            Targets: [{ Id: "security-bus", Arn: args.busArn, RoleArn: { "Fn::GetAtt": [ROLE_LOGICAL_ID, "Arn"] } }],
        },
    };
}

export function memberTemplate(args: MemberTemplateArgs): Template {
    const rules = args.patterns.map((pattern, index) => [ruleLogicalId(index), forwardingRule(args, pattern, index)] as const);
    return {
        AWSTemplateFormatVersion: "2010-09-09",
        Description: "console-login-alerts: forwards this account's console sign-ins to the security account, within seconds.",
        Resources: { [ROLE_LOGICAL_ID]: forwardingRole(args), ...Object.fromEntries(rules) },
    };
}
