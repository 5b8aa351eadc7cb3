/**
 * IAM policy documents: their statements, and IAM's matching of actions, resources and principals.
 */
import { NOT_YET_KNOWN, plain, type NotYetKnown } from "./props";

export interface Statement {
    Sid?: unknown;
    Effect?: unknown;
    Action?: unknown;
    NotAction?: unknown;
    Resource?: unknown;
    NotResource?: unknown;
    Principal?: unknown;
}

/** The statements of a policy document given as JSON text or an object; NOT_YET_KNOWN while computed. */
export function statementsOf(document: unknown): Statement[] | NotYetKnown | undefined {
    let doc = plain(document);
    if (doc === NOT_YET_KNOWN) {
        return NOT_YET_KNOWN;
    }
    if (typeof doc === "string") {
        try {
            doc = JSON.parse(doc);
        } catch {
            return undefined;
        }
    }
    if (doc === null || typeof doc !== "object") {
        return undefined;
    }
    const statement = (doc as { Statement?: unknown }).Statement;
    const list = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
    return list.filter((s): s is Statement => s !== null && typeof s === "object");
}

/** A statement field that IAM accepts as one string or a list of them. */
export function strings(value: unknown): string[] {
    if (typeof value === "string") {
        return [value];
    }
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** IAM wildcard matching: `*` is any run of characters and `?` any one character. */
export function globMatches(pattern: string, text: string, ignoreCase: boolean): boolean {
    const source = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(text);
}

/** Action names are case-insensitive in IAM. */
export function actionAllowed(statement: Statement, action: string): boolean {
    return statement.Effect === "Allow" && strings(statement.Action).some((a) => globMatches(a, action, true));
}

export function resourceAllowed(statement: Statement, arn: string): boolean {
    return strings(statement.Resource).some((r) => globMatches(r, arn, false));
}

/** The service principals a statement names, or "*" when it names everyone. */
export function servicePrincipals(statement: Statement): string[] | "*" {
    const principal = statement.Principal;
    if (principal === "*") {
        return "*";
    }
    if (principal !== null && typeof principal === "object") {
        const p = principal as { Service?: unknown; AWS?: unknown };
        if (strings(p.AWS).includes("*")) {
            return "*";
        }
        return strings(p.Service);
    }
    return [];
}

/** How a message names a statement: by its Sid, else by its 1-based position. */
export function statementLabel(statement: Statement, index: number): string {
    return typeof statement.Sid === "string" && statement.Sid ? `statement "${statement.Sid}"` : `statement ${index + 1}`;
}
