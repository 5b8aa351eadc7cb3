import type * as pulumi from "@pulumi/pulumi";

/**
 * Options for a resource that moved into `component` from `formerParent`. Its URN changes with its
 * parent, and without an alias to the URN it had, `pulumi up` would replace it: a state table or a
 * trail bucket replaced is data lost. test/urns.spec.ts holds every URN a stack deployed before
 * the move has, and checks each is still there or aliased.
 */
export function movedFrom(component: pulumi.Resource, formerParent: pulumi.Resource): pulumi.CustomResourceOptions {
    return { parent: component, aliases: [{ parent: formerParent }] };
}
