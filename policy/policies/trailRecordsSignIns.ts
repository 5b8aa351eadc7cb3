import type { PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { NOT_YET_KNOWN, plain, read, readList } from "../lib/props";
import { alertTrails } from "../lib/signInFilters";

/**
 * A console sign-in as CloudTrail records it: a management event from signin.amazonaws.com, recorded
 * with readOnly false (a write event), and eventType AwsConsoleSignIn. See the example records in
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
 */
const SIGN_IN_EVENT: Record<string, string> = {
    eventCategory: "Management",
    readOnly: "false",
    eventSource: "signin.amazonaws.com",
    eventName: "ConsoleLogin",
    eventType: "AwsConsoleSignIn",
};

type FieldSelector = Record<string, unknown>;

const OPERATORS: Record<string, (value: string, operand: string) => boolean> = {
    equals: (v, o) => v === o,
    startsWith: (v, o) => v.startsWith(o),
    endsWith: (v, o) => v.endsWith(o),
};

/**
 * Whether a field selector lets the sign-in through: each operator it uses must hold (an `equals`
 * list any of its values, a `notEquals` list none). A field a sign-in does not have (resources.type)
 * is not judged. https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html
 */
function fieldAdmits(selector: FieldSelector): boolean {
    const value = typeof selector["field"] === "string" ? SIGN_IN_EVENT[selector["field"]] : undefined;
    if (value === undefined) {
        return true;
    }
    return Object.entries(OPERATORS).every(([name, holds]) => {
        const positive = selector[name];
        const negative = selector[`not${name[0]?.toUpperCase()}${name.slice(1)}`];
        const listed = (list: unknown) => Array.isArray(list) && list.some((o) => typeof o === "string" && holds(value, o));
        return (!Array.isArray(positive) || listed(positive)) && !(Array.isArray(negative) && listed(negative));
    });
}

/** What an advanced event selector does with console sign-ins, or NOT_YET_KNOWN while its fields are. */
function advancedSelectorVerdict(selector: unknown): "records" | "management-without-sign-ins" | "no-management" | typeof NOT_YET_KNOWN {
    const fields = plain(read(selector, "fieldSelectors"));
    if (fields === NOT_YET_KNOWN) {
        return NOT_YET_KNOWN;
    }
    const list = Array.isArray(fields) ? fields.filter((f): f is FieldSelector => f !== null && typeof f === "object") : [];
    const category = list.find((f) => f["field"] === "eventCategory");
    if (!category || !fieldAdmits(category)) {
        return "no-management";
    }
    return list.every(fieldAdmits) ? "records" : "management-without-sign-ins";
}

function checkAdvancedSelectors(trail: PolicyResource, reportViolation: ReportViolation): void {
    const advanced = readList(trail.props, "advancedEventSelectors");
    if (advanced === NOT_YET_KNOWN || advanced.length === 0) {
        return;
    }
    const verdicts = advanced.map(advancedSelectorVerdict);
    if (verdicts.includes(NOT_YET_KNOWN) || verdicts.includes("records")) {
        return;
    }
    if (verdicts.includes("management-without-sign-ins")) {
        reportViolation(
            `Trail "${trail.name}" has advanced event selectors that select management events but filter out console sign-ins ` +
                `(eventSource "signin.amazonaws.com", eventName "ConsoleLogin", readOnly "false"), so the sign-in alarms on its log group never fire; ` +
                `remove the field selectors on readOnly, eventSource or eventName that exclude them, or add a selector with only { field: "eventCategory", equals: ["Management"] }.`,
            trail.urn,
        );
        return;
    }
    reportViolation(
        `Trail "${trail.name}" has advanced event selectors, none of which selects eventCategory "Management", so it records no console sign-in ` +
            `and the sign-in alarms on its log group never fire; add an advanced event selector with the field selector { field: "eventCategory", equals: ["Management"] }.`,
        trail.urn,
    );
}

function checkBasicSelectors(trail: PolicyResource, reportViolation: ReportViolation): void {
    const selectors = readList(trail.props, "eventSelectors");
    if (selectors === NOT_YET_KNOWN || selectors.length === 0) {
        return;
    }
    // includeManagementEvents defaults to true; the trail drops management events only if every selector turns them off.
    const management = selectors.filter((s) => read(s, "includeManagementEvents") !== false);
    if (management.length === 0) {
        reportViolation(
            `Trail "${trail.name}" sets includeManagementEvents to false in every event selector, so it records no console sign-in ` +
                `(a management event) and the sign-in alarms on its log group never fire; set includeManagementEvents to true in one of them.`,
            trail.urn,
        );
        return;
    }
    const readWrite = management.map((s) => read(s, "readWriteType"));
    if (!readWrite.includes(NOT_YET_KNOWN) && readWrite.every((t) => t === "ReadOnly")) {
        reportViolation(
            `Trail "${trail.name}" records only read-only management events (readWriteType "ReadOnly"), but CloudTrail records a console sign-in ` +
                `as a write event (readOnly false), so the sign-in alarms on its log group never fire; set readWriteType to "All" (or "WriteOnly").`,
            trail.urn,
        );
    }
}

function checkTrail(trail: PolicyResource, reportViolation: ReportViolation): void {
    if (read(trail.props, "enableLogging") === false) {
        reportViolation(
            `Trail "${trail.name}" has enableLogging set to false, so it records nothing and the sign-in alarms on its log group never fire; ` +
                `set enableLogging to true, or leave it unset.`,
            trail.urn,
        );
    }
    checkBasicSelectors(trail, reportViolation);
    checkAdvancedSelectors(trail, reportViolation);
}

// Mandatory: each case is a trail that, by its own settings, records no console sign-in at all while
// the stack alerts on its sign-ins (CloudTrail records ConsoleLogin with readOnly false, so a
// ReadOnly selector drops it as surely as includeManagementEvents false). Nothing fails and nothing is logged; the alerts just never come.
// Only trails that feed sign-in metric filters are checked, so other teams' trails kept for other
// purposes (data events only, say) are left alone.
export const trailRecordsSignIns: StackValidationPolicy = {
    name: "trail-records-sign-ins",
    description:
        "A trail whose log group feeds sign-in metric filters is logging and its event selectors keep console sign-ins: write management events from signin.amazonaws.com.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Leave the trail's enableLogging unset (or true), and keep write management events in its event selectors: includeManagementEvents true and " +
        'readWriteType "All" or "WriteOnly" in a basic selector, or an advanced selector with { field: "eventCategory", equals: ["Management"] } and no ' +
        "field selector that excludes readOnly false or eventSource signin.amazonaws.com.",
    validateStack: (args, reportViolation) => {
        for (const trail of alertTrails(args.resources)) {
            checkTrail(trail, reportViolation);
        }
    },
};
