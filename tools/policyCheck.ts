/**
 * Runs the CrossGuard policies in policy/ over resources recorded by the offline engine, handing
 * each policy what `pulumi preview --policy-pack policy` would: inputs for resource policies,
 * outputs for stack policies, in the engine's wire form (secrets and assets signed), decoded by
 * @pulumi/policy's own deserializer and wrapped in its preview proxy. The tests share this adapter.
 */
import { createRequire } from "module";
import * as path from "path";
import {
    UnknownValueError,
    unknownCheckingProxy,
    type EnforcementLevel,
    type PolicyResource,
    type PolicyResourceOptions,
    type ResourceValidationArgs,
    type ResourceValidationPolicy,
    type StackValidationPolicy,
} from "../policy/node_modules/@pulumi/policy";
import { policies as packPolicies } from "../policy/policies";
import { toEngineResource, type EngineResource } from "./engineWire";
import type { RecordedResource } from "./offlineEngine";

export const POLICY_DIR = path.resolve(__dirname, "..", "policy");

export type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

export interface Violation {
    policy: string;
    enforcementLevel: string;
    urn?: string;
    /** The text the policy reported; the engine shows it after the policy's description. */
    message: string;
}

export interface CheckResult {
    violations: Violation[];
    mandatoryFailed: boolean;
}

/** Policy pack config as given to `--policy-pack-config`: a level, or an object of level and properties. */
export type PolicyPackConfig = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Presenting properties to policies the way @pulumi/policy's analyzer server does.
// ---------------------------------------------------------------------------------------------

// Resolved from policy/, so these are the very modules the pack's server uses.
const policyRequire = createRequire(path.join(POLICY_DIR, "package.json"));
const { deserializeProperties } = policyRequire("@pulumi/policy/deserialize") as {
    deserializeProperties(struct: { toJavaScript(): Record<string, unknown> }, proxySecrets: boolean): Record<string, unknown>;
};
const { Struct } = policyRequire("google-protobuf/google/protobuf/struct_pb") as {
    Struct: { fromJavaScript(value: Record<string, unknown>): { toJavaScript(): Record<string, unknown> } };
};

/** Wire-form properties as a policy sees them: secrets unwrapped, assets as objects, unknowns guarded. */
export function presentProperties(wire: Record<string, unknown>): Record<string, unknown> {
    return unknownCheckingProxy(deserializeProperties(Struct.fromJavaScript(wire), false)) as Record<string, unknown>;
}

class NotApplicable extends Error {}

function notApplicable(reason?: string): never {
    throw new NotApplicable(reason ?? "Policy does not apply");
}

// Mirrors the server's isTypeOf: the generated class's type token, else its isInstance.
function isTypeOf(type: string, resourceClass: unknown): boolean {
    const token = (resourceClass as { __pulumiType?: unknown }).__pulumiType;
    if (typeof token === "string" && token) {
        return token === type;
    }
    const isInstance = (resourceClass as { isInstance?: unknown }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function resourceOptions(r: EngineResource): PolicyResourceOptions {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(r.parent ? { parent: r.parent } : {}),
    };
}

function isStackPolicy(policy: AnyPolicy): policy is StackValidationPolicy {
    return typeof (policy as StackValidationPolicy).validateStack === "function";
}

/** The engine fills each policy's config with its schema defaults, then the configured values. */
function policySettings(policy: AnyPolicy, config: PolicyPackConfig): { level: EnforcementLevel; properties: Record<string, unknown> } {
    const properties: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (schema && typeof schema === "object" && "default" in schema) {
            properties[key] = (schema as { default: unknown }).default;
        }
    }
    const given = config[policy.name];
    let level = policy.enforcementLevel ?? "advisory";
    if (typeof given === "string") {
        level = given as EnforcementLevel;
    } else if (given && typeof given === "object") {
        const { enforcementLevel, ...rest } = given as { enforcementLevel?: EnforcementLevel };
        level = enforcementLevel ?? level;
        Object.assign(properties, rest);
    }
    // Violations of a policy set to remediate are reported as mandatory.
    return { level: level === "remediate" ? "mandatory" : level, properties };
}

function previewNote(policy: AnyPolicy, err: UnknownValueError): Violation {
    // The server's own wording, at advisory level, when a policy touches an unknown value.
    return {
        policy: policy.name,
        enforcementLevel: "advisory",
        message: `can't run policy '${policy.name}' during preview: ${err.message}`,
    };
}

/** Runs one resource policy on one resource, as the engine's Analyze call does. */
export async function runResourcePolicy(
    policy: ResourceValidationPolicy,
    resource: EngineResource,
    config: PolicyPackConfig = {},
): Promise<Violation[]> {
    const { level, properties } = policySettings(policy, config);
    if (level === "disabled" || !policy.validateResource) {
        return [];
    }
    const violations: Violation[] = [];
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const validate of validations) {
        const props = presentProperties(resource.inputs);
        const args: ResourceValidationArgs = {
            type: resource.type,
            props,
            urn: resource.urn,
            name: resource.name,
            opts: resourceOptions(resource),
            stackTags: new Map(),
            isType: (cls) => isTypeOf(resource.type, cls),
            asType: ((cls: unknown) => (isTypeOf(resource.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
            getConfig: <T extends object>() => ({ ...properties }) as T,
            notApplicable,
        };
        try {
            await validate(args, (message) =>
                violations.push({ policy: policy.name, enforcementLevel: level, urn: resource.urn, message }),
            );
        } catch (err) {
            if (err instanceof UnknownValueError) {
                violations.push({ ...previewNote(policy, err), urn: resource.urn });
            } else if (!(err instanceof NotApplicable)) {
                throw err;
            }
        }
    }
    return violations;
}

/** Runs one stack policy over every resource, as the engine's AnalyzeStack call does. */
export async function runStackPolicy(
    policy: StackValidationPolicy,
    resources: EngineResource[],
    config: PolicyPackConfig = {},
): Promise<Violation[]> {
    const { level, properties } = policySettings(policy, config);
    if (level === "disabled") {
        return [];
    }
    const byUrn = new Map<string, PolicyResource>();
    const presented = resources.map((r) => {
        const props = presentProperties(r.outputs);
        const resource: PolicyResource = {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: resourceOptions(r),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => isTypeOf(r.type, cls),
            asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
        };
        byUrn.set(r.urn, resource);
        return { r, resource };
    });
    const lookup = (urns: string[]) => urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
    for (const { r, resource } of presented) {
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        if (parent) {
            resource.parent = parent;
        }
        resource.dependencies = lookup(r.dependencies);
        for (const [k, urns] of Object.entries(r.propertyDependencies)) {
            resource.propertyDependencies[k] = lookup(urns);
        }
    }
    const violations: Violation[] = [];
    try {
        await policy.validateStack(
            {
                resources: presented.map((p) => p.resource),
                stackTags: new Map(),
                getConfig: <T extends object>() => ({ ...properties }) as T,
                notApplicable,
            },
            (message, urn) => violations.push({ policy: policy.name, enforcementLevel: level, ...(urn ? { urn } : {}), message }),
        );
    } catch (err) {
        if (err instanceof UnknownValueError) {
            violations.push(previewNote(policy, err));
        } else if (!(err instanceof NotApplicable)) {
            throw err;
        }
    }
    return violations;
}

/** Runs every policy the way a preview does: each resource policy per resource, then each stack policy once. */
export async function runPolicies(
    policies: readonly AnyPolicy[],
    resources: EngineResource[],
    config: PolicyPackConfig = {},
): Promise<CheckResult> {
    const violations: Violation[] = [];
    for (const resource of resources) {
        for (const policy of policies) {
            if (!isStackPolicy(policy)) {
                violations.push(...(await runResourcePolicy(policy, resource, config)));
            }
        }
    }
    for (const policy of policies) {
        if (isStackPolicy(policy)) {
            violations.push(...(await runStackPolicy(policy, resources, config)));
        }
    }
    return { violations, mandatoryFailed: violations.some((v) => v.enforcementLevel === "mandatory") };
}

/** Checks resources recorded by the offline engine against every policy of the pack (policy/policies/). */
export async function checkResources(resources: RecordedResource[], config?: Record<string, unknown>): Promise<CheckResult> {
    return runPolicies(packPolicies, resources.map(toEngineResource), config ?? {});
}
