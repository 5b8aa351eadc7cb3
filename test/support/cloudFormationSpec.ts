/**
 * Checks a CloudFormation template against CloudFormation's resource specification as
 * @aws-cdk/aws-service-spec ships it: every resource type exists, every property is one the type
 * declares, every required property is present, every value has the declared type, and every
 * `Ref` and `Fn::GetAtt` names a resource (and an attribute) of the template or a pseudo parameter.
 */
import { loadAwsServiceSpecSync } from "@aws-cdk/aws-service-spec";
import type { PropertyType, Resource, SpecDatabase } from "@aws-cdk/service-spec-types";

// CloudFormation User Guide, "Pseudo parameters reference".
const PSEUDO_PARAMETERS = [
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

let database: SpecDatabase | undefined;
function db(): SpecDatabase {
    database ??= loadAwsServiceSpecSync();
    return database;
}

interface TemplateResource {
    Type: string;
    Properties?: Record<string, unknown>;
}

export interface CheckedTemplate {
    Resources: Record<string, TemplateResource>;
}

class Checker {
    readonly problems: string[] = [];
    constructor(private readonly template: CheckedTemplate) {}

    resourceOf(type: string): Resource | undefined {
        return db().lookup("resource", "cloudFormationType", "equals", type)[0];
    }

    /** A `Ref` or `Fn::GetAtt`, checked; true when `value` is one (it then stands for a string). */
    intrinsic(at: string, value: unknown): boolean {
        if (typeof value !== "object" || value === null || Array.isArray(value) || Object.keys(value).length !== 1) {
            return false;
        }
        const record = value as Record<string, unknown>;
        if (typeof record["Ref"] === "string") {
            const name = record["Ref"];
            if (!PSEUDO_PARAMETERS.includes(name) && !(name in this.template.Resources)) {
                this.problems.push(`${at}: Ref names ${name}, which is neither a resource of the template nor a pseudo parameter`);
            }
            return true;
        }
        const sub = record["Fn::Sub"];
        if (typeof sub === "string") {
            for (const [, name] of sub.matchAll(/\$\{([^}!]+)\}/g)) {
                const [logicalId, attribute] = (name as string).split(".");
                this.intrinsic(at, attribute === undefined ? { Ref: logicalId } : { "Fn::GetAtt": [logicalId, attribute] });
            }
            return true;
        }
        const getAtt = record["Fn::GetAtt"];
        if (Array.isArray(getAtt) && getAtt.length === 2 && getAtt.every((part) => typeof part === "string")) {
            const [logicalId, attribute] = getAtt as [string, string];
            const target = this.template.Resources[logicalId];
            const resource = target ? this.resourceOf(target.Type) : undefined;
            if (!resource) {
                this.problems.push(`${at}: Fn::GetAtt names ${logicalId}, which is not a resource of the template`);
            } else if (!(attribute in resource.attributes)) {
                this.problems.push(`${at}: ${target?.Type} has no attribute ${attribute} for Fn::GetAtt`);
            }
            return true;
        }
        return false;
    }

    value(at: string, type: PropertyType, value: unknown): void {
        if (this.fits(at, type, value)) {
            return;
        }
        this.problems.push(`${at}: ${JSON.stringify(value)} is not ${describe(type)}`);
    }

    fits(at: string, type: PropertyType, value: unknown): boolean {
        switch (type.type) {
            case "string":
            case "date-time":
                return typeof value === "string" || this.intrinsic(at, value);
            case "number":
                return typeof value === "number";
            case "integer":
                return typeof value === "number" && Number.isInteger(value);
            case "boolean":
                return typeof value === "boolean";
            case "json":
                return typeof value === "object" && value !== null;
            case "null":
                return value === null;
            case "tag":
                return isObject(value) && typeof value["Key"] === "string" && typeof value["Value"] === "string";
            case "array":
                return Array.isArray(value) && value.every((element, i) => (this.value(`${at}[${i}]`, type.element, element), true));
            case "map":
                return isObject(value) && Object.entries(value).every(([k, v]) => (this.value(`${at}.${k}`, type.element, v), true));
            case "ref":
                return isObject(value) && (this.properties(at, db().get("typeDefinition", type.reference.$ref).properties, value), true);
            case "union":
                return type.types.some((member) => this.quietlyFits(at, member, value));
        }
    }

    /** Whether a union member fits, without the member's own complaints. */
    quietlyFits(at: string, type: PropertyType, value: unknown): boolean {
        const before = this.problems.length;
        const fits = this.fits(at, type, value);
        const complained = this.problems.length > before;
        this.problems.length = before;
        return fits && !complained;
    }

    properties(at: string, declared: Resource["properties"], given: Record<string, unknown>): void {
        for (const [name, value] of Object.entries(given)) {
            const property = declared[name];
            if (!property) {
                this.problems.push(`${at}: no property ${name}; the type takes ${Object.keys(declared).sort().join(", ")}`);
            } else {
                this.value(`${at}.${name}`, property.type, value);
            }
        }
        for (const [name, property] of Object.entries(declared)) {
            if (property.required && !(name in given)) {
                this.problems.push(`${at}: the required property ${name} is missing`);
            }
        }
    }
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(type: PropertyType): string {
    return type.type === "union" ? type.types.map(describe).join(" or ") : `a ${type.type}`;
}

/** Every way the template breaks CloudFormation's specification; empty when it keeps it. */
export function templateProblems(template: CheckedTemplate): string[] {
    const checker = new Checker(template);
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
        const spec = checker.resourceOf(resource.Type);
        if (!spec) {
            checker.problems.push(`${logicalId}: no resource type ${resource.Type}`);
            continue;
        }
        checker.properties(logicalId, spec.properties, resource.Properties ?? {});
    }
    return checker.problems;
}
