/**
 * Relationships between resources in a stack.
 *
 * A reference is followed two ways: by value (the ARN in one resource equals another's output),
 * and by the engine's property dependencies, which are known even in preview, when the ARNs of
 * resources about to be created are not.
 */
import type { PolicyResource } from "@pulumi/policy";
import { statementsOf, type Statement } from "./iam";
import { NOT_YET_KNOWN, read, readList, readString, type NotYetKnown } from "./props";
import { AWS, type AwsType } from "./types";

export function ofType(resources: PolicyResource[], type: AwsType): PolicyResource[] {
    return resources.filter((r) => r.type === type);
}

/** The resources of `candidates` that `from.props[prop]` refers to. */
export function referenced(
    from: PolicyResource,
    prop: string,
    candidates: PolicyResource[],
    byValue: (candidate: PolicyResource, value: unknown) => boolean,
): PolicyResource[] {
    const deps = new Set((from.propertyDependencies[prop] ?? []).map((d) => d.urn));
    const values = readList(from.props, prop);
    return candidates.filter(
        (c) => deps.has(c.urn) || (values !== NOT_YET_KNOWN && values.some((v) => v !== NOT_YET_KNOWN && byValue(c, v))),
    );
}

/** True when `value` equals one of `keys` of the candidate's outputs (ARN, name, id). */
export function sameAs(keys: string[]): (candidate: PolicyResource, value: unknown) => boolean {
    return (candidate, value) => typeof value === "string" && keys.some((k) => readString(candidate.props, k) === value);
}

/** Lambda ARNs may carry a version or alias qualifier. */
export function functionArnMatches(candidate: PolicyResource, value: unknown): boolean {
    if (typeof value !== "string") {
        return false;
    }
    const arn = readString(candidate.props, "arn");
    const name = readString(candidate.props, "name");
    return (typeof arn === "string" && (value === arn || value.startsWith(`${arn}:`))) || (typeof name === "string" && value === name);
}

const ALARM_ACTION_PROPERTIES = ["alarmActions", "okActions", "insufficientDataActions"];

/** The stack's CloudWatch alarms that notify the topic, in any state. */
export function alarmsNotifying(resources: PolicyResource[], topic: PolicyResource): PolicyResource[] {
    return ofType(resources, AWS.metricAlarm).filter((alarm) =>
        ALARM_ACTION_PROPERTIES.some((prop) => referenced(alarm, prop, [topic], sameAs(["arn"])).length > 0),
    );
}

/** SNS topics that CloudWatch alarms in the stack notify. */
export function alarmTopics(resources: PolicyResource[]): PolicyResource[] {
    return ofType(resources, AWS.snsTopic).filter((topic) => alarmsNotifying(resources, topic).length > 0);
}

/** Everything that can grant a role permissions, or NOT_YET_KNOWN if some of it can't be seen from here. */
export function rolePolicyStatements(resources: PolicyResource[], role: PolicyResource): Statement[] | NotYetKnown {
    const statements: Statement[] = [];
    const add = (document: unknown): boolean => {
        const s = statementsOf(document);
        if (s === NOT_YET_KNOWN) {
            return false;
        }
        statements.push(...(s ?? []));
        return true;
    };
    const isThisRole = sameAs(["name", "arn"]);
    for (const rp of ofType(resources, AWS.rolePolicy)) {
        if (referenced(rp, "role", [role], isThisRole).length > 0 && !add(read(rp.props, "policy"))) {
            return NOT_YET_KNOWN;
        }
    }
    const inline = readList(role.props, "inlinePolicies");
    if (inline === NOT_YET_KNOWN) {
        return NOT_YET_KNOWN;
    }
    for (const entry of inline) {
        if (!add(read(entry, "policy"))) {
            return NOT_YET_KNOWN;
        }
    }
    const managed = ofType(resources, AWS.policy);
    for (const attachment of ofType(resources, AWS.rolePolicyAttachment)) {
        if (referenced(attachment, "role", [role], isThisRole).length === 0) {
            continue;
        }
        const [policy] = referenced(attachment, "policyArn", managed, sameAs(["arn"]));
        // A policy from outside the stack (an AWS managed one, say) may grant what is missing.
        if (!policy || !add(read(policy.props, "policy"))) {
            return NOT_YET_KNOWN;
        }
    }
    const managedArns = readList(role.props, "managedPolicyArns");
    if (managedArns === NOT_YET_KNOWN || managedArns.length > 0) {
        return NOT_YET_KNOWN;
    }
    return statements;
}

/** Lambda functions of the stack that alarms invoke directly (a function ARN in their actions), with each alarm. */
export function alarmInvokedFunctions(resources: PolicyResource[]): Array<{ fn: PolicyResource; alarm: PolicyResource }> {
    const functions = ofType(resources, AWS.lambdaFunction);
    return ofType(resources, AWS.metricAlarm).flatMap((alarm) => {
        const invoked = new Set(ALARM_ACTION_PROPERTIES.flatMap((prop) => referenced(alarm, prop, functions, functionArnMatches)));
        return [...invoked].map((fn) => ({ fn, alarm }));
    });
}

/** Lambda functions of the stack subscribed (protocol `lambda`) to a topic that alarms notify, with each topic. */
export function alarmTopicFunctions(resources: PolicyResource[]): Array<{ fn: PolicyResource; topic: PolicyResource }> {
    const functions = ofType(resources, AWS.lambdaFunction);
    const subscriptions = ofType(resources, AWS.snsTopicSubscription).filter((s) => readString(s.props, "protocol") === "lambda");
    return alarmTopics(resources).flatMap((topic) =>
        subscriptions
            .filter((s) => referenced(s, "topic", [topic], sameAs(["arn"])).length > 0)
            .flatMap((s) => referenced(s, "endpoint", functions, functionArnMatches).map((fn) => ({ fn, topic }))),
    );
}
