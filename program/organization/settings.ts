/**
 * The `organization` key: which organization's accounts forward their sign-ins to this stack's
 * fast path, through a CloudFormation StackSet, and from where the StackSet is administered.
 */
import { ConfigError, isRecord, key, readJson, type ConfigSource } from "../configValues";
import { DEFAULTS } from "../defaults";
import { REGION_NAME } from "../names";
import { CALL_AS, type CallAs } from "../../shared/contract";

export { CALL_AS, type CallAs };

export interface OrganizationSettings {
    /** The organization's id, `o-…`: only its principals may put events on the stack's bus. */
    id: string;
    /** The root (`r-…`) or the organizational units (`ou-…`) whose accounts forward. */
    units: string[];
    /** The regions each member account forwards from; empty: the fast path's regions. */
    regions: string[];
    callAs: CallAs;
}

// The identifier patterns of the AWS Organizations API Reference ("Organization", "Root",
// "OrganizationalUnit": Id).
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const UNIT_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

const EXAMPLE = '{"id":"o-a1b2c3d4e5","units":["r-ab12"]}';
const FIX = `Fix it with: pulumi config set --path 'organization.id' o-a1b2c3d4e5`;

function problemOf(organization: Record<string, unknown>): string | undefined {
    const known = ["id", "units", "regions", "callAs"];
    const unknown = Object.keys(organization).find((name) => !known.includes(name));
    if (unknown !== undefined) {
        return `has no setting ${JSON.stringify(unknown)}; it takes ${known.join(", ")}`;
    }
    if (typeof organization["id"] !== "string" || !ORGANIZATION_ID.test(organization["id"])) {
        return "must name the organization's id in `id`, such as o-a1b2c3d4e5 (aws organizations describe-organization shows it)";
    }
    const units = organization["units"];
    if (!Array.isArray(units) || units.length === 0 || !units.every((u) => typeof u === "string" && (ROOT_ID.test(u) || UNIT_ID.test(u)))) {
        return 'must list in `units` the root (r-…) or the organizational units (ou-…) whose accounts forward, such as ["r-ab12"]';
    }
    if (units.some((u) => ROOT_ID.test(u as string)) && units.length > 1) {
        return "must name either the root or organizational units in `units`: the root already holds every unit";
    }
    if (new Set(units).size !== units.length) {
        return "must name each unit in `units` once";
    }
    const regions = organization["regions"] ?? [];
    if (
        !Array.isArray(regions) ||
        !regions.every((r) => typeof r === "string" && REGION_NAME.test(r)) ||
        new Set(regions).size !== regions.length
    ) {
        return 'must list in `regions` region names, each once, such as ["us-east-1", "eu-west-1"]';
    }
    const callAs = organization["callAs"] ?? "SELF";
    if (!CALL_AS.includes(callAs as CallAs)) {
        return `must say in \`callAs\` who administers the StackSet: ${CALL_AS.join(" or ")}`;
    }
    return undefined;
}

/** What the organization needs of the stack's other keys. */
export interface OrganizationNeeds {
    fastPath: boolean;
    organizationTrail: boolean;
    existingTrailLogGroupName?: string;
}

function needsProblem(needs: OrganizationNeeds): string | undefined {
    if (!needs.fastPath) {
        return "forwards member accounts' events to the fast path, which `fastPath` turns off. Fix it with: pulumi config set fastPath true";
    }
    if (!needs.organizationTrail && needs.existingTrailLogGroupName === undefined) {
        // Without an organization trail the backstop never reads a member account's sign-ins, so one
        // the fast path missed would be lost.
        return (
            "covers member accounts, whose sign-ins reach the backstop only through an organization trail. " +
            "Fix it with: pulumi config set organizationTrail true (or set existingTrailLogGroupName to the organization trail's log group)"
        );
    }
    return undefined;
}

/** The `organization` key, checked; undefined when the stack serves its own account alone. */
export function readOrganization(source: ConfigSource, needs: OrganizationNeeds): OrganizationSettings | undefined {
    const organization = readJson<unknown>(source, "organization", DEFAULTS.organization, EXAMPLE);
    if (isRecord(organization) && Object.keys(organization).length === 0) {
        return undefined;
    }
    if (!isRecord(organization)) {
        throw new ConfigError(`Configuration key ${key("organization")} must be an object such as ${EXAMPLE}. ${FIX}`);
    }
    const problem = problemOf(organization);
    if (problem) {
        throw new ConfigError(`Configuration key ${key("organization")} ${problem}. ${FIX}`);
    }
    const missing = needsProblem(needs);
    if (missing) {
        throw new ConfigError(`Configuration key ${key("organization")} ${missing}.`);
    }
    return {
        id: organization["id"] as string,
        units: organization["units"] as string[],
        regions: (organization["regions"] as string[] | undefined) ?? [],
        callAs: (organization["callAs"] as CallAs | undefined) ?? "SELF",
    };
}
