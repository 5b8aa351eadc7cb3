/**
 * Exemptions: a team that cannot (or need not) comply on one resource lists it, with a reason, in
 * the `exemptions` property of that policy's config.
 *
 * CrossGuard has no pack-wide config, only one config per policy, so the property is declared in
 * every policy's configSchema (the engine validates it there and hands it to `getConfig`). The
 * matching is done once, here, by wrapping each policy in the registry (../policies/index.ts): a
 * policy added later is exemptable without doing anything, and no policy can match differently.
 */
import type {
    PolicyConfigSchema,
    ResourceValidation,
    ResourceValidationPolicy,
    StackValidation,
    StackValidationPolicy,
} from "@pulumi/policy";

export interface Exemption {
    /** The resource's full URN. */
    urn?: string;
    /** The resource's logical name, as given to its constructor. */
    name?: string;
    /** The resource's type token, exactly (`aws:cloudwatch/metricAlarm:MetricAlarm`); patterns are refused. */
    type?: string;
    /** Why the resource is exempt; shown when the policy is skipped for it. */
    reason: string;
    /** The last day (an ISO date, UTC) the exemption applies; after it the policy reports the resource again, saying so. */
    expires?: string;
}

export interface ExemptionsConfig {
    exemptions?: Exemption[];
}

const SELECTOR = { type: "string" as const, minLength: 1 };

export const EXEMPTIONS_SCHEMA: PolicyConfigSchema["properties"][string] = {
    type: "array",
    default: [],
    description:
        "Resources this policy skips. Each entry names a urn, a name or a type token (no wildcards), " +
        "or several of them, which must then all match; and a reason.",
    items: {
        type: "object",
        properties: {
            urn: SELECTOR,
            name: SELECTOR,
            type: SELECTOR,
            reason: { type: "string", minLength: 1 },
            expires: {
                type: "string",
                pattern: "^\\d{4}-\\d{2}-\\d{2}$",
                description: "The last day (YYYY-MM-DD, UTC) the exemption applies.",
            },
        },
        required: ["reason"],
        // The reason and at least one selector: an entry with a reason alone would exempt everything
        // (and one with a reason and an expiry date alone matches nothing: exemptionFor needs a selector).
        minProperties: 2,
        additionalProperties: false,
    },
};

// A type token is `package:module:Type` (Pulumi documentation, "Resources": "Resource URNs" names
// the qualified type `package:module:type`).
const TYPE_TOKEN = /^[^:*\s]+:[^:*\s]+:[^:*\s]+$/;
const EXAMPLE_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm";

/** Why an entry's type names no single resource type, if it does not. */
function typeProblem(type: string): string | undefined {
    if (type.includes("*")) {
        return 'a pattern: "*" would exempt every resource whose type it matches, resources added later included';
    }
    return TYPE_TOKEN.test(type) ? undefined : "which is not a resource type token (package:module:Type) and matches no resource";
}

/**
 * The policy's exemptions, or an error naming the first entry whose type is not one type token.
 * `{type: "*"}` passed the schema and exempted every resource, so the policy passed everything
 * while it looked configured. The pack cannot answer the engine's Configure call itself (the
 * @pulumi/policy server stores the config without calling policy code), so the refusal comes with
 * the first Analyze or AnalyzeStack after it, before any resource is judged. A JSON-schema
 * `pattern` would make the CLI refuse earlier, in the schema validator's words, which say neither
 * why nor what to write instead.
 */
export function exemptionsOf(policyName: string, config: ExemptionsConfig): Exemption[] {
    const exemptions = config.exemptions ?? [];
    exemptions.forEach((e, index) => {
        const problem = e.type === undefined ? undefined : typeProblem(e.type);
        if (problem) {
            throw new Error(
                `Policy "${policyName}": exemptions[${index}] ("${e.reason}") has type "${e.type}", ${problem}. ` +
                    `Give one resource type token, such as "${EXAMPLE_TYPE}", and/or the resource's urn or name; list one entry per type.`,
            );
        }
    });
    return exemptions;
}

/** A URN ends `::<qualified type>::<name>`, the qualified type being `parent$type`. */
function parseUrn(urn: string): { type: string; name: string } | undefined {
    const parts = urn.split("::");
    if (parts.length < 4) {
        return undefined;
    }
    const qualifiedType = parts[2] ?? "";
    return { type: qualifiedType.split("$").pop() ?? "", name: parts.slice(3).join("::") };
}

/** An exemption is in force through its `expires` day (UTC), and for good without one. */
export function isExpired(exemption: Exemption, now: Date = new Date()): boolean {
    return exemption.expires !== undefined && now.toISOString().slice(0, 10) > exemption.expires;
}

function matches(e: Exemption, resource: { urn: string; name: string; type: string }): boolean {
    return (
        (e.urn !== undefined || e.name !== undefined || e.type !== undefined) &&
        (e.urn === undefined || e.urn === resource.urn) &&
        (e.name === undefined || e.name === resource.name) &&
        (e.type === undefined || e.type === resource.type)
    );
}

/** The exemption in force that covers a resource, if any: every selector an entry gives must match. */
export function exemptionFor(
    exemptions: readonly Exemption[] | undefined,
    resource: { urn: string; name: string; type: string },
    now: Date = new Date(),
): Exemption | undefined {
    return (exemptions ?? []).find((e) => matches(e, resource) && !isExpired(e, now));
}

/** An expired exemption that would cover the resource, for the violation to say so. */
export function expiredExemptionFor(
    exemptions: readonly Exemption[] | undefined,
    resource: { urn: string; name: string; type: string },
    now: Date = new Date(),
): Exemption | undefined {
    return (exemptions ?? []).find((e) => matches(e, resource) && isExpired(e, now));
}

/** The violation, with a word on the expired exemption that no longer covers the resource. */
function withExpiry(message: string, expired: Exemption | undefined): string {
    return expired
        ? `${message} (The exemption for this resource expired on ${expired.expires}: "${expired.reason}"; renew it with a later expires date or fix the resource.)`
        : message;
}

function withSchema(schema: PolicyConfigSchema | undefined): PolicyConfigSchema {
    return { ...schema, properties: { ...schema?.properties, exemptions: EXEMPTIONS_SCHEMA } };
}

function exemptResourceValidation(policyName: string, validate: ResourceValidation): ResourceValidation {
    return (args, reportViolation) => {
        const exemptions = exemptionsOf(policyName, args.getConfig<ExemptionsConfig>());
        const exemption = exemptionFor(exemptions, args);
        if (exemption) {
            // Shown by the CLI as the reason the policy did not apply, so the skip stays visible.
            args.notApplicable(`exempted: ${exemption.reason}`);
        }
        const expired = expiredExemptionFor(exemptions, args);
        return validate(args, (message, urn) => reportViolation(withExpiry(message, expired), urn));
    };
}

function exemptStackValidation(policyName: string, validate: StackValidation): StackValidation {
    return (args, reportViolation) => {
        const exemptions = exemptionsOf(policyName, args.getConfig<ExemptionsConfig>());
        const byUrn = new Map(args.resources.map((r) => [r.urn, r]));
        return validate(args, (message, urn) => {
            // A violation against the whole stack (no URN) names no resource to exempt.
            const target = urn === undefined ? undefined : (byUrn.get(urn) ?? parseUrn(urn));
            if (urn === undefined || !target) {
                reportViolation(message, urn);
                return;
            }
            const resource = { urn, name: target.name, type: target.type };
            if (!exemptionFor(exemptions, resource)) {
                reportViolation(withExpiry(message, expiredExemptionFor(exemptions, resource)), urn);
            }
        });
    };
}

/** The policy with an `exemptions` config property, honoured per resource. */
export function exemptable<P extends ResourceValidationPolicy | StackValidationPolicy>(policy: P): P {
    if ("validateStack" in policy) {
        return {
            ...policy,
            configSchema: withSchema(policy.configSchema),
            validateStack: exemptStackValidation(policy.name, policy.validateStack),
        };
    }
    const validate = policy.validateResource;
    if (!validate) {
        return { ...policy, configSchema: withSchema(policy.configSchema) };
    }
    return {
        ...policy,
        configSchema: withSchema(policy.configSchema),
        validateResource: Array.isArray(validate)
            ? validate.map((v) => exemptResourceValidation(policy.name, v))
            : exemptResourceValidation(policy.name, validate),
    };
}
