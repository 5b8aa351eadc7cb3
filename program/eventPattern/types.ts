/**
 * The shapes the translation works in, shared by every step: a field's test, a leaf asking it, an
 * alternative of leaves, and what is left to the function. Leaves and tests are made and read here.
 */
import type { Expression, Literal } from "../../shared/filterEvaluate";
import type { Decimal } from "../../shared/jsonText";

export type Matcher = string | number | boolean | null | Record<string, unknown>;
export type Bound = { value: Decimal; inclusive: boolean };
export type Test = { kind: "values"; values: Matcher[] } | { kind: "absent" } | { kind: "range"; lower?: Bound; upper?: Bound };
export type Condition = Extract<Expression, { kind: "compare" | "check" }>;
export type TextLiteral = Extract<Literal, { kind: "text" }>;

/** Where a condition's selector went through an array: the path before it, and the selector up to its last index. */
export interface ArrayUse {
    anchor: string[];
    through: string;
    anyIndex: boolean;
}

/** One condition as EventBridge can ask it of one field; key identifies path and test. */
export interface Leaf {
    path: string[];
    test: Test;
    source: string;
    arrays: ArrayUse | undefined;
    key: string;
}

/** A condition EventBridge cannot ask, left to the function: true as far as the pattern goes. */
export interface Dropped {
    source: string;
    reason: string;
}

/** One way for the pattern to match: every leaf must hold. */
export interface Alternative {
    leaves: Leaf[];
    dropped: Dropped[];
}

export interface Context {
    notes: string[];
}

/** Thrown when the rule can only be left to the backstop; the message completes "backstop only, because". */
export class BackstopOnly extends Error {}

export function leaf(path: string[], test: Test, source: string, arrays: ArrayUse | undefined): Leaf {
    return { path, test, source, arrays, key: `${JSON.stringify(path)} ${testKey(test)}` };
}

function testKey(test: Test): string {
    return test.kind === "values" ? JSON.stringify(test.values.map((v) => JSON.stringify(v)).sort()) : JSON.stringify(test);
}

export function values(list: Matcher[]): Test {
    return { kind: "values", values: list };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isExistsTrue(value: Matcher): boolean {
    return isRecord(value) && value["exists"] === true;
}
