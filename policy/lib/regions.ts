/**
 * Where a resource lives, as far as the engine lets a policy see it.
 *
 * A resource's region is, in order: its own `region` property (@pulumi/aws 7 lets a resource name
 * one), the `region` of the provider the engine says manages it (an explicit `aws.Provider`), or the
 * region field of its ARN once that is known. In a first preview, with no ARN yet and no provider
 * region, it is NOT_YET_KNOWN.
 */
import type { PolicyResource } from "@pulumi/policy";
import { NOT_YET_KNOWN, readString, type NotYetKnown } from "./props";

/** The engine's type token of explicit AWS providers. */
export const AWS_PROVIDER_TYPE = "pulumi:providers:aws";

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

function isRegion(value: unknown): value is string {
    return typeof value === "string" && REGION.test(value);
}

/** The region field (the fourth) of an ARN, when it names one. */
export function arnRegion(arn: unknown): string | undefined {
    if (typeof arn !== "string" || !arn.startsWith("arn:")) {
        return undefined;
    }
    const region = arn.split(":")[3];
    return isRegion(region) ? region : undefined;
}

/** The region of an explicit AWS provider: its `region` input, or NOT_YET_KNOWN. Undefined if it names none. */
export function providerRegion(provider: { props: unknown }): string | undefined | NotYetKnown {
    const region = readString(provider.props, "region");
    return region === NOT_YET_KNOWN || isRegion(region) ? region : undefined;
}

/** The region a resource is managed in, or NOT_YET_KNOWN. */
export function regionOf(resource: PolicyResource): string | NotYetKnown {
    const own = readString(resource.props, "region");
    if (isRegion(own)) {
        return own;
    }
    const region = resource.provider ? providerRegion(resource.provider) : undefined;
    if (typeof region === "string") {
        return region;
    }
    return arnRegion(readString(resource.props, "arn")) ?? NOT_YET_KNOWN;
}

/**
 * The regions the stack names: those of its explicit AWS providers, and those its resources name
 * in their own `region` property (@pulumi/aws 7 lets any regional resource of the default provider
 * name one, the way this project's fast path does).
 */
export function stackRegions(resources: PolicyResource[]): string[] {
    const regions = new Set<string>();
    for (const resource of resources) {
        const region = resource.type === AWS_PROVIDER_TYPE ? providerRegion(resource) : readString(resource.props, "region");
        if (isRegion(region)) {
            regions.add(region);
        }
    }
    return [...regions];
}
