import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { admitsConsoleSignIns } from "../lib/eventPattern";
import { ofType, referenced, sameAs } from "../lib/graph";
import { signInFilters } from "../lib/signInFilters";
import { NOT_YET_KNOWN, read, readString } from "../lib/props";
import { arnRegion, stackRegions, regionOf } from "../lib/regions";
import { AWS } from "../lib/types";

/** A multi-region trail covers its home region and every region the stack names (providers or resources); any other trail, its home region. */
function coveredRegions(resources: PolicyResource[], trail: PolicyResource): Set<string> {
    const home = regionOf(trail);
    const regions = new Set<string>();
    if (home !== NOT_YET_KNOWN) {
        regions.add(home);
    } else {
        // A trail delivers to a log group in its own region.
        const groupRegion = arnRegion(readString(trail.props, "cloudWatchLogsGroupArn"));
        if (groupRegion) {
            regions.add(groupRegion);
        }
    }
    if (read(trail.props, "isMultiRegionTrail") === true) {
        for (const region of stackRegions(resources)) {
            regions.add(region);
        }
    }
    return regions;
}

function onDefaultBus(rule: PolicyResource): boolean {
    const bus = readString(rule.props, "eventBusName");
    return bus === undefined || bus === "default" || (typeof bus === "string" && bus.endsWith(":event-bus/default"));
}

/** A target puts events on an event bus: its arn is a bus's, or is computed from an EventBus of the stack. */
function targetsABus(target: PolicyResource, buses: PolicyResource[]): boolean {
    const arn = readString(target.props, "arn");
    return (
        (typeof arn === "string" && /^arn:[\w-]+:events:[\w-]+:\d{12}:event-bus\//.test(arn)) ||
        referenced(target, "arn", buses, sameAs(["arn"])).length > 0
    );
}

/** The fast path's rules: on a default bus, letting aws.signin console sign-ins through, with a target that is an event bus. */
function fastPathRules(resources: PolicyResource[]): PolicyResource[] {
    const buses = ofType(resources, AWS.eventBus);
    const targets = ofType(resources, AWS.eventTarget);
    return ofType(resources, AWS.eventRule).filter(
        (rule) =>
            onDefaultBus(rule) &&
            admitsConsoleSignIns(read(rule.props, "eventPattern")) === true &&
            targets.some((t) => referenced(t, "rule", [rule], sameAs(["name", "id"])).length > 0 && targetsABus(t, buses)),
    );
}

export const fastPathCoversTrailRegions: StackValidationPolicy = {
    name: "fast-path-covers-trail-regions",
    description:
        "In a stack that forwards console sign-ins through EventBridge, every region its trail's sign-in alerts cover also has a forwarding rule on its default event bus.",
    enforcementLevel: "advisory",
    remediationSteps:
        "Add a rule on the uncovered region's default event bus matching source aws.signin, with a target forwarding to the fast path's bus: " +
        "in console-login-alerts, add the region to fastPathRegions, or leave fastPathRegions empty to cover every enabled region.",
    validateStack: (args, reportViolation) => {
        const rules = fastPathRules(args.resources);
        if (rules.length === 0) {
            // No fast path: the stack has not opted in, and the CloudWatch Logs alarms are its only path.
            return;
        }
        const ruleRegions = rules.map(regionOf);
        if (ruleRegions.includes(NOT_YET_KNOWN)) {
            // Which regions the rules are in is known only after the update; nothing to say yet.
            return;
        }
        const forwarded = new Set(ruleRegions as string[]);
        for (const trail of ofType(args.resources, AWS.trail)) {
            if (signInFilters(args.resources, trail).length === 0) {
                continue;
            }
            for (const region of [...coveredRegions(args.resources, trail)].sort()) {
                if (!forwarded.has(region)) {
                    reportViolation(
                        `Trail "${trail.name}" records console sign-ins in ${region} and metric filters on its log group alert on them, ` +
                            `but no EventBridge rule on ${region}'s default event bus forwards them to the fast path, so sign-ins recorded there ` +
                            `are reported only by the CloudWatch Logs alarms, minutes later; add ${region} to fastPathRegions (or leave it empty to cover ` +
                            `every enabled region), or add a rule on ${region}'s default bus matching source aws.signin with a target forwarding to the fast path's bus.`,
                        trail.urn,
                    );
                }
            }
        }
    },
};
