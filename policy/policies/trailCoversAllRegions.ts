import type { ResourceValidationPolicy } from "@pulumi/policy";
import { read } from "../lib/props";
import { AWS, validateResourceOfType } from "../lib/types";

export const trailCoversAllRegions: ResourceValidationPolicy = {
    name: "trail-covers-all-regions",
    description: "Every CloudTrail trail records all regions and global service events and validates its log files.",
    enforcementLevel: "advisory",
    remediationSteps: "Set isMultiRegionTrail, includeGlobalServiceEvents and enableLogFileValidation to true on the trail.",
    validateResource: validateResourceOfType(AWS.trail, (trail, args, reportViolation) => {
        const multiRegion = read(trail, "isMultiRegionTrail");
        const validation = read(trail, "enableLogFileValidation");
        // Unset means false for these two; CloudTrail's default for includeGlobalServiceEvents is true.
        if (multiRegion === false || multiRegion === undefined) {
            reportViolation(
                `Trail "${args.name}" records only the region it is created in, so console sign-ins through another region's sign-in endpoint go unseen; ` +
                    `set isMultiRegionTrail to true.`,
            );
        }
        if (read(trail, "includeGlobalServiceEvents") === false) {
            reportViolation(
                `Trail "${args.name}" leaves out global service events such as IAM and STS calls; set includeGlobalServiceEvents to true.`,
            );
        }
        if (validation === false || validation === undefined) {
            reportViolation(
                `Trail "${args.name}" does not validate its log files, so edits to delivered logs cannot be detected; set enableLogFileValidation to true.`,
            );
        }
    }),
};
