import type { StackValidationPolicy } from "@pulumi/policy";
import { read } from "../lib/props";
import { alertTrails } from "../lib/signInFilters";

// Advisory, and only for trails feeding sign-in alerts: the reasons below are about seeing every
// sign-in; a trail kept for other purposes (one bucket's data events) has its own good reasons.
export const trailCoversAllRegions: StackValidationPolicy = {
    name: "trail-covers-all-regions",
    description: "A CloudTrail trail that feeds sign-in alerts records all regions and global service events and validates its log files.",
    enforcementLevel: "advisory",
    remediationSteps: "Set isMultiRegionTrail, includeGlobalServiceEvents and enableLogFileValidation to true on the trail.",
    validateStack: (args, reportViolation) => {
        for (const trail of alertTrails(args.resources)) {
            const multiRegion = read(trail.props, "isMultiRegionTrail");
            const validation = read(trail.props, "enableLogFileValidation");
            // Unset means false for these two; CloudTrail's default for includeGlobalServiceEvents is true.
            if (multiRegion === false || multiRegion === undefined) {
                reportViolation(
                    `Trail "${trail.name}" records only the region it is created in, so console sign-ins through another region's sign-in endpoint go unseen; ` +
                        `set isMultiRegionTrail to true.`,
                    trail.urn,
                );
            }
            if (read(trail.props, "includeGlobalServiceEvents") === false) {
                reportViolation(
                    `Trail "${trail.name}" leaves out global service events such as IAM and STS calls; set includeGlobalServiceEvents to true.`,
                    trail.urn,
                );
            }
            if (validation === false || validation === undefined) {
                reportViolation(
                    `Trail "${trail.name}" does not validate its log files, so edits to delivered logs cannot be detected; set enableLogFileValidation to true.`,
                    trail.urn,
                );
            }
        }
    },
};
