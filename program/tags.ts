/**
 * The stack's `tags`, on every resource of the component that takes tags. AWS's default tags
 * (`aws:defaultTags`) need nothing here: every resource is served by the default provider, which
 * applies them itself, and a resource's own tags win over them on a shared key.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ConfigError, isRecord, key, readJson, type ConfigSource } from "./configValues";
import { DEFAULTS } from "./defaults";

/**
 * AWS's tag rules, common to every service that takes tags (e.g. Amazon ECS API Reference, "Tag";
 * AWS CloudFormation, "AWS::ECS::Service Tag"): at most 50 user tags a resource, keys of 1 to 128
 * and values of at most 256 Unicode characters, letters, digits, spaces and `_ . : / = + - @`,
 * and no key or value starting with `aws:` in any case, which AWS keeps for itself.
 */
export const TAG_LIMITS = { perResource: 50, keyLength: 128, valueLength: 256 } as const;
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function tagProblem(name: string, value: unknown): string | undefined {
    const length = (text: string) => [...text].length;
    if (length(name) < 1 || length(name) > TAG_LIMITS.keyLength) {
        return `a key of 1 to ${TAG_LIMITS.keyLength} characters`;
    }
    if (typeof value !== "string" || length(value) > TAG_LIMITS.valueLength) {
        return `a text value of at most ${TAG_LIMITS.valueLength} characters`;
    }
    if (!TAG_TEXT.test(name) || !TAG_TEXT.test(value)) {
        return "letters, digits, spaces and _ . : / = + - @ only";
    }
    if (/^aws:/i.test(name) || /^aws:/i.test(value)) {
        return "free of the aws: prefix, which AWS keeps for its own tags";
    }
    return undefined;
}

/** The `tags` key: a map of tag keys to values, as AWS takes them. */
export function readTags(source: ConfigSource): Record<string, string> {
    const example = '{"owner":"platform","cost-centre":"1234"}';
    const fix = `Fix it with: pulumi config set --path 'tags.owner' platform`;
    const tags = readJson<unknown>(source, "tags", DEFAULTS.tags, example);
    if (!isRecord(tags)) {
        throw new ConfigError(`Configuration key ${key("tags")} must map tag keys to values, e.g. ${example}. ${fix}`);
    }
    if (Object.keys(tags).length > TAG_LIMITS.perResource) {
        throw new ConfigError(
            `Configuration key ${key("tags")} has ${Object.keys(tags).length} tags; AWS takes at most ${TAG_LIMITS.perResource} a resource, aws:defaultTags included.`,
        );
    }
    for (const [name, value] of Object.entries(tags)) {
        const problem = tagProblem(name, value);
        if (problem) {
            throw new ConfigError(`Configuration key ${key(`tags.${name}`)} must be ${problem}. ${fix}`);
        }
    }
    return tags as Record<string, string>;
}

/**
 * A transformation that merges `tags` into each taggable resource's own tags (its own win).
 *
 * Which resources take tags is @pulumi/aws's own knowledge, so none is listed here: every generated
 * resource class whose arguments have `tags` sets the `tags` key of the inputs it registers, set or
 * not, and no other class does. A transformation (not a transform) sees those inputs as the class
 * built them, before serialization drops unset keys, and it runs in the program, so the offline
 * engine and the CLI apply it alike. test/tags.spec.ts checks the result against the classes'
 * declared arguments.
 */
export function tagEveryTaggable(tags: Readonly<Record<string, string>>): pulumi.ResourceTransformation {
    return ({ props, opts }) => {
        if (!("tags" in props)) {
            return undefined;
        }
        const own = props["tags"] as pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
        return { props: { ...props, tags: own === undefined ? { ...tags } : mergeTags(tags, own) }, opts };
    };
}

function mergeTags(
    tags: Readonly<Record<string, string>>,
    own: pulumi.Input<Record<string, pulumi.Input<string>>>,
): pulumi.Input<Record<string, pulumi.Input<string>>> {
    // A plain object stays plain, so the plan shows it; an Output is merged once it resolves.
    if (typeof (own as { apply?: unknown }).apply === "function") {
        return (own as pulumi.Output<Record<string, string>>).apply((resolved) => ({ ...tags, ...resolved }));
    }
    return { ...tags, ...(own as Record<string, pulumi.Input<string>>) };
}

/** The component's options with the tagging transformation first, so resources' own transformations see the tags. */
export function withStackTags(
    opts: pulumi.ComponentResourceOptions | undefined,
    tags: Readonly<Record<string, string>> | undefined,
): pulumi.ComponentResourceOptions | undefined {
    if (!tags || Object.keys(tags).length === 0) {
        return opts;
    }
    return { ...opts, transformations: [tagEveryTaggable(tags), ...(opts?.transformations ?? [])] };
}
