/**
 * IAM policy documents: reading their statements. Deciding what a document allows is
 * @cloud-copilot/iam-simulate's job (./simulate.ts), never hand-written matching.
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
    Condition?: unknown;
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

/** How a message names a statement: by its Sid, else by its 1-based position. */
export function statementLabel(statement: Statement, index: number): string {
    return typeof statement.Sid === "string" && statement.Sid ? `statement "${statement.Sid}"` : `statement ${index + 1}`;
}
