/**
 * IAM decisions, made by @cloud-copilot/iam-simulate as AWS makes them: wildcards, NotAction,
 * NotResource, conditions and resource ARNs included. The pack only says who asks for what, on
 * which resource, with which request context; it never matches actions or principals by hand.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { statementsOf, type Statement } from "./iam";
import { NOT_YET_KNOWN, type NotYetKnown } from "./props";

export interface Request {
    /** A service principal (`cloudtrail.amazonaws.com`) or a principal ARN. */
    principal: string;
    action: string;
    /** The ARN the action is on. */
    resource: string;
    /** The account that owns the resource. */
    account: string;
    /** Request context, e.g. `aws:SourceArn` and `aws:SourceAccount` for a service acting for a resource. */
    context?: Record<string, string>;
}

/** What AWS would decide; "invalid" when the document is not a policy AWS would accept. */
export type Decision = "allowed" | "denied" | "invalid";

function asDocument(statements: Statement[]): { Version: string; Statement: Statement[] } {
    return { Version: "2012-10-17", Statement: statements };
}

async function decide(
    request: Request,
    documents: { identity?: Statement[]; resource?: Statement[] },
    simulationMode: "Strict" | "Discovery" = "Strict",
): Promise<Decision> {
    const result = await runSimulation(
        {
            request: {
                principal: request.principal,
                action: request.action,
                resource: { resource: request.resource, accountId: request.account },
                contextVariables: request.context ?? {},
            },
            identityPolicies: documents.identity ? [{ name: "identity", policy: asDocument(documents.identity) }] : [],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: documents.resource ? asDocument(documents.resource) : undefined,
        },
        { simulationMode },
    );
    if (result.resultType === "error") {
        return "invalid";
    }
    return result.overallResult === "Allowed" ? "allowed" : "denied";
}

/**
 * Whether a resource policy (a trust policy, a topic policy, a key policy, a function's
 * permissions) lets a service principal make the request. Services acting for a resource are
 * judged on the resource policy alone: they hold no identity policy of the account.
 */
export function resourcePolicyAllows(statements: Statement[], request: Request): Promise<Decision> {
    return decide(request, { resource: statements });
}

/**
 * Whether a resource policy would let the service principal in for some request context: its
 * conditions are taken as satisfiable (iam-simulate's Discovery mode). For telling "never" apart
 * from "not for this source".
 */
export function resourcePolicyMayAllow(statements: Statement[], request: Omit<Request, "context">): Promise<Decision> {
    return decide(request, { resource: statements }, "Discovery");
}

/** Whether identity policies let their principal make the request (same-account resource, no resource policy). */
export function identityPoliciesAllow(statements: Statement[], request: Request): Promise<Decision> {
    return decide(request, { identity: statements });
}

/** Stands in for the stack's account while no ARN of the stack is known. */
export const PLACEHOLDER_ACCOUNT = "000000000000";

/** An account that is no one's in particular, for asking whether a policy lets in any principal at all. */
export const STRANGER_ACCOUNT = "999988887777";

/**
 * Whether a trust policy lets a principal of another, unrelated account assume the role, given
 * that account lets its principal assume anything: true only for a `*` principal left unconditioned.
 */
export async function trustsAnyone(trust: Statement[], roleArn: string, account: string): Promise<boolean> {
    const request: Request = {
        principal: `arn:aws:iam::${STRANGER_ACCOUNT}:role/any-principal`,
        action: "sts:AssumeRole",
        resource: roleArn,
        account,
    };
    const stranger: Statement[] = [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }];
    return (await decide(request, { identity: stranger, resource: trust })) === "allowed";
}

/** A policy document's statements, NOT_YET_KNOWN while computed, [] when absent or unreadable. */
export function knownStatements(document: unknown): Statement[] | NotYetKnown {
    const statements = statementsOf(document);
    return statements === NOT_YET_KNOWN ? NOT_YET_KNOWN : (statements ?? []);
}
