import type { PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { NOT_YET_KNOWN, plain, read, readList } from "../lib/props";
import { alertTrails } from "../lib/signInFilters";

/** Whether an advanced event selector selects management events (eventCategory equals Management). */
function selectsManagement(selector: unknown): boolean | typeof NOT_YET_KNOWN {
    const fields = plain(read(selector, "fieldSelectors"));
    if (fields === NOT_YET_KNOWN) {
        return NOT_YET_KNOWN;
    }
    return (
        Array.isArray(fields) &&
        fields.some(
            (f: { field?: unknown; equals?: unknown }) =>
                f.field === "eventCategory" && Array.isArray(f.equals) && f.equals.includes("Management"),
        )
    );
}

function checkTrail(trail: PolicyResource, reportViolation: ReportViolation): void {
    if (read(trail.props, "enableLogging") === false) {
        reportViolation(
            `Trail "${trail.name}" has enableLogging set to false, so it records nothing and the sign-in alarms on its log group never fire; ` +
                `set enableLogging to true, or leave it unset.`,
            trail.urn,
        );
    }
    const selectors = readList(trail.props, "eventSelectors");
    // includeManagementEvents defaults to true; the trail drops management events only if every selector turns them off.
    if (selectors !== NOT_YET_KNOWN && selectors.length > 0 && selectors.every((s) => read(s, "includeManagementEvents") === false)) {
        reportViolation(
            `Trail "${trail.name}" sets includeManagementEvents to false in every event selector, so it records no console sign-in ` +
                `(a management event) and the sign-in alarms on its log group never fire; set includeManagementEvents to true in one of them.`,
            trail.urn,
        );
    }
    const advanced = readList(trail.props, "advancedEventSelectors");
    if (advanced === NOT_YET_KNOWN || advanced.length === 0) {
        return;
    }
    const selected = advanced.map(selectsManagement);
    if (!selected.includes(NOT_YET_KNOWN) && !selected.includes(true)) {
        reportViolation(
            `Trail "${trail.name}" has advanced event selectors, none of which selects eventCategory "Management", so it records no console sign-in ` +
                `and the sign-in alarms on its log group never fire; add an advanced event selector with the field selector { field: "eventCategory", equals: ["Management"] }.`,
            trail.urn,
        );
    }
}

// Mandatory: each case is a trail that, by its own settings, records no console sign-in at all while
// the stack alerts on its sign-ins. Nothing fails and nothing is logged; the alerts just never come.
// Only trails that feed sign-in metric filters are checked, so other teams' trails kept for other
// purposes (data events only, say) are left alone.
export const trailRecordsSignIns: StackValidationPolicy = {
    name: "trail-records-sign-ins",
    description:
        "A trail whose log group feeds sign-in metric filters is logging and records management events, where console sign-ins are.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Leave the trail's enableLogging unset (or true), and keep management events in its event selectors: includeManagementEvents true in a basic " +
        'selector, or an advanced selector with { field: "eventCategory", equals: ["Management"] }.',
    validateStack: (args, reportViolation) => {
        for (const trail of alertTrails(args.resources)) {
            checkTrail(trail, reportViolation);
        }
    },
};
