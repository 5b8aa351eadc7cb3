import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { expandAction, takesResourceArn } from "../lib/actions";
import { statementLabel, statementsOf, strings, type Statement } from "../lib/iam";
import { NOT_YET_KNOWN, read, readList, readString } from "../lib/props";
import { AWS, type AwsType } from "../lib/types";

interface IdentityPolicyDocument {
    /** How the message names the document, e.g. `IAM role policy "x"`. */
    label: string;
    document: unknown;
}

function identityPolicyDocuments(args: ResourceValidationArgs): IdentityPolicyDocument[] {
    const single: Array<[AwsType, string]> = [
        [AWS.rolePolicy, "IAM role policy"],
        [AWS.policy, "IAM policy"],
        [AWS.userPolicy, "IAM user policy"],
        [AWS.groupPolicy, "IAM group policy"],
    ];
    for (const [cls, kind] of single) {
        if (args.type === cls) {
            return [{ label: `${kind} "${args.name}"`, document: read(args.props, "policy") }];
        }
    }
    if (args.type === AWS.role) {
        const inline = readList(args.props, "inlinePolicies");
        if (inline === NOT_YET_KNOWN) {
            return [];
        }
        return inline.map((entry, i) => {
            const name = readString(entry, "name");
            return {
                label: `IAM role "${args.name}" inline policy ${typeof name === "string" && name ? `"${name}"` : `inlinePolicies[${i}]`}`,
                document: read(entry, "policy"),
            };
        });
    }
    return [];
}

function describeWildcardAction(action: string): string {
    if (action === "*") {
        return `every action ("*")`;
    }
    const service = action.split(":")[0] ?? action;
    return `every ${service} action ("${action}")`;
}

/** The entries of an Action list that grant at least one action taking a resource ARN. */
async function arnScopedEntries(actions: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const entry of actions) {
        for (const { service, action } of await expandAction(entry)) {
            if (await takesResourceArn(service, action)) {
                out.push(entry);
                break;
            }
        }
    }
    return out;
}

async function checkIdentityStatement(label: string, statement: Statement, index: number, reportViolation: ReportViolation): Promise<void> {
    if (statement.Effect !== "Allow") {
        return;
    }
    const where = statementLabel(statement, index);
    const actions = strings(statement.Action);
    const wildcards = actions.filter((a) => a === "*" || /^[\w-]+:\*$/.test(a));
    for (const action of wildcards) {
        const service = action === "*" ? "" : `${action.split(":")[0]} `;
        reportViolation(
            `${label} allows ${describeWildcardAction(action)} in ${where}; list only the ${service}actions the principal calls.`,
        );
    }
    if (statement.NotAction !== undefined) {
        reportViolation(
            `${label} allows every action not named in NotAction in ${where}; replace NotAction with an Action list of the actions the principal calls.`,
        );
    }
    const scoped = await arnScopedEntries(actions.filter((a) => !wildcards.includes(a)));
    if (scoped.length === 0) {
        return;
    }
    const named = scoped.join(", ");
    if (strings(statement.Resource).includes("*")) {
        reportViolation(`${label} allows ${named} on every resource ("*") in ${where}; scope Resource to the ARNs those actions need.`);
    } else if (statement.NotResource !== undefined) {
        reportViolation(
            `${label} allows ${named} on every resource not named in NotResource in ${where}; replace NotResource with a Resource list of the ARNs those actions need.`,
        );
    }
}

export const noWildcardIam: ResourceValidationPolicy = {
    name: "no-wildcard-iam",
    description: "No IAM identity policy allows every action of a service or allows actions that take a resource ARN on every resource.",
    enforcementLevel: "advisory",
    remediationSteps:
        'Replace "*" and "service:*" actions with the actions the principal calls, and "*" resources with the ARNs it needs. ' +
        "Actions the AWS Service Authorization Reference lists with no resource type (ecr:GetAuthorizationToken, sts:GetCallerIdentity), with only an " +
        'optional one (cloudwatch:PutMetricData), or at the List access level (ec2:DescribeSubnets) may use "*".',
    validateResource: async (args, reportViolation) => {
        for (const { label, document } of identityPolicyDocuments(args)) {
            const statements = statementsOf(document);
            if (statements === NOT_YET_KNOWN || statements === undefined) {
                continue;
            }
            for (const [i, statement] of statements.entries()) {
                await checkIdentityStatement(label, statement, i, reportViolation);
            }
        }
    },
};
