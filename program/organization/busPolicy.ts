/**
 * Who may put events on the stack's bus besides the stack's own regional rules: the forwarding
 * roles the StackSet creates in the organization's member accounts, and no other principal.
 */
import type { PolicyDocument } from "../documents";

/**
 * The bus's resource policy. `aws:PrincipalOrgID` admits only principals of the organization (IAM
 * User Guide, "AWS global condition context keys"); `aws:PrincipalArn` narrows them to roles under
 * the forwarding roles' path, which CloudFormation creates in every member account. A member
 * account's administrator could still make a role under that path: what such a role puts is refused
 * by the function unless its source begins `aws.`, which PutEvents refuses to anyone but AWS, so it
 * can add noise, never a sign-in taken for CloudTrail's word.
 */
export function organizationBusPolicy(busArn: string, organizationId: string, partition: string, rolePath: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "MemberAccountsForward",
                Effect: "Allow",
                Principal: { AWS: "*" },
                Action: "events:PutEvents",
                Resource: busArn,
                Condition: {
                    StringEquals: { "aws:PrincipalOrgID": organizationId },
                    ArnLike: { "aws:PrincipalArn": `arn:${partition}:iam::*:role${rolePath}*` },
                },
            },
        ],
    };
}
