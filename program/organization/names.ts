/**
 * The physical names of what the StackSet puts in every member account, and of the StackSet itself:
 * known before deployment, so the bus policy, the watch list and the template can all name them.
 */
import { createHash } from "node:crypto";

/** EventBridge's limit on rule names (PutRule, `Name`: 1 to 64 of `.`, `-`, `_`, letters and digits). */
export const RULE_NAME_MAX = 64;
/** CloudFormation's limit on StackSet names (CreateStackSet, `StackSetName`: a letter, then letters, digits and `-`). */
export const STACK_SET_NAME_MAX = 128;

/** A name cut to `max` characters, ending in a hash of the whole so two long stack names never meet. */
function bounded(name: string, max: number): string {
    if (name.length <= max) {
        return name;
    }
    const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
    return `${name.slice(0, max - hash.length - 1)}-${hash}`;
}

/** The member account's forwarding rule `index` (0 for the first), in every region the StackSet covers. */
export function memberRuleName(physical: string, index: number): string {
    const ending = index === 0 ? "-forward" : `-forward-${index + 1}`;
    return `${bounded(physical, RULE_NAME_MAX - ending.length)}${ending}`;
}

/** IAM's limit on role names (CreateRole, `RoleName`). */
export const ROLE_NAME_MAX = 64;
// The longest region name AWS has (ap-southeast-5 and the like are 14 characters), with room to spare.
const REGION_ROOM = 16;

/**
 * The forwarding role's name in one member region, as a CloudFormation `Fn::Sub` string: a role is
 * global, so each region's stack instance makes its own, named for its region. Named, not left to
 * CloudFormation, so the watch list knows it by the stack's prefix in every account.
 */
export function memberRoleNameSub(physical: string): string {
    const ending = "-forward-";
    return `${bounded(physical, ROLE_NAME_MAX - ending.length - REGION_ROOM)}${ending}\${AWS::Region}`;
}

/** The IAM path of the member accounts' forwarding roles: the bus policy admits roles under it alone. */
export function memberRolePath(physical: string): string {
    return `/${physical}/`;
}

export function stackSetName(physical: string): string {
    const name = `${physical}-member-forwarding`.replace(/[^A-Za-z0-9-]/g, "-").replace(/^[^A-Za-z]+/, "");
    return bounded(name, STACK_SET_NAME_MAX);
}
