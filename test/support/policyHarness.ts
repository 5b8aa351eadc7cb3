/**
 * Runs a policy from policy/policies/ against hand-built resources and collects what it reports.
 * Resources are built in the engine's wire form (tools/engineWire.ts) and handed over by
 * tools/policyCheck.ts, the same adapter the offline plan uses, so a test sees exactly what
 * `pulumi preview` would show a policy.
 */
import { ARCHIVE_SIG, ASSET_SIG, SECRET_SIG, SIG_KEY, UNKNOWN_ON_THE_WIRE, type EngineResource } from "../../tools/engineWire";
import { runResourcePolicy, runStackPolicy, type AnyPolicy, type PolicyPackConfig, type Violation } from "../../tools/policyCheck";

export { UNKNOWN_ON_THE_WIRE, type EngineResource, type Violation };

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
export const WEBHOOK = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:dev::console-login-alerts::${type}::${name}`;
}

export interface ResourceSpec {
    type: string;
    name: string;
    inputs?: Record<string, unknown>;
    /** Defaults to the inputs: after an update, outputs echo them. */
    outputs?: Record<string, unknown>;
    /** Property name → resources it was computed from. */
    dependsOn?: Record<string, EngineResource[]>;
}

export function resource(spec: ResourceSpec): EngineResource {
    const inputs = spec.inputs ?? {};
    const propertyDependencies = Object.fromEntries(Object.entries(spec.dependsOn ?? {}).map(([k, rs]) => [k, rs.map((r) => r.urn)]));
    return {
        urn: urnOf(spec.type, spec.name),
        type: spec.type,
        name: spec.name,
        dependencies: [...new Set(Object.values(propertyDependencies).flat())],
        propertyDependencies,
        inputs,
        outputs: { ...inputs, ...(spec.outputs ?? {}) },
    };
}

/** A copy with some inputs (and the matching outputs) replaced; `undefined` removes one. */
export function withProps(r: EngineResource, changes: Record<string, unknown>): EngineResource {
    const apply = (props: Record<string, unknown>) => {
        const out = { ...props };
        for (const [k, v] of Object.entries(changes)) {
            if (v === undefined) {
                delete out[k];
            } else {
                out[k] = v;
            }
        }
        return out;
    };
    return { ...r, inputs: apply(r.inputs), outputs: apply(r.outputs) };
}

/** A copy whose property no longer depends on other resources (a hard-coded value). */
export function withoutDependency(r: EngineResource, prop: string): EngineResource {
    const propertyDependencies = { ...r.propertyDependencies };
    delete propertyDependencies[prop];
    return { ...r, propertyDependencies };
}

export function replace(resources: EngineResource[], changed: EngineResource): EngineResource[] {
    return resources.map((r) => (r.urn === changed.urn ? changed : r));
}

export function secret(value: unknown): Record<string, unknown> {
    return { [SIG_KEY]: SECRET_SIG, value };
}

export function stringAsset(text: string): Record<string, unknown> {
    return { [SIG_KEY]: ASSET_SIG, text };
}

export function fileArchive(path: string): Record<string, unknown> {
    return { [SIG_KEY]: ARCHIVE_SIG, path };
}

export function assetArchive(assets: Record<string, unknown>): Record<string, unknown> {
    return { [SIG_KEY]: ARCHIVE_SIG, assets };
}

export function policyDocument(...statements: Array<Record<string, unknown>>): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * What a policy reports for these resources: a resource policy is run on each one (as the engine's
 * Analyze calls are), a stack policy once over all of them (AnalyzeStack).
 */
export async function check(policy: AnyPolicy, resources: EngineResource[], config: PolicyPackConfig = {}): Promise<Violation[]> {
    if ("validateStack" in policy) {
        return runStackPolicy(policy, resources, config);
    }
    const out: Violation[] = [];
    for (const r of resources) {
        out.push(...(await runResourcePolicy(policy, r, config)));
    }
    return out;
}

/** The messages a policy reports, for exact-text assertions. */
export async function messages(policy: AnyPolicy, resources: EngineResource[], config: PolicyPackConfig = {}): Promise<string[]> {
    return (await check(policy, resources, config)).map((v) => v.message);
}
