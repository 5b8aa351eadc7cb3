/**
 * Reading one configuration key: the error every bad value raises, and the readers for each kind
 * of value. Each names the key and the command that fixes it, and never echoes a secret.
 */
import * as pulumi from "@pulumi/pulumi";

export const PROJECT = "console-login-alerts";

/** Bad stack configuration. A RunError, so `pulumi preview` prints the message without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

/** The two things the program needs from the stack's configuration store. */
export interface ConfigSource {
    get(key: string): string | undefined;
    isSecret(key: string): boolean;
}

export function key(name: string): string {
    return `${PROJECT}:${name}`;
}

/**
 * An optional string key. Pulumi.yaml declares such keys with a default of "" (the CLI refuses a
 * stack that leaves a declared key without a default or value), so "" means "not set".
 */
export function readOptional(source: ConfigSource, name: string): string | undefined {
    const value = source.get(name);
    return value === undefined || value === "" ? undefined : value;
}

export function readInteger(source: ConfigSource, name: string, fallback: number, check: (n: number) => string | undefined): number {
    const raw = source.get(name);
    if (raw === undefined) {
        return fallback;
    }
    // Digits only: Number() would also take "0x10", "1e3", " 12 " and "12.0".
    const n = /^-?\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    const problem = Number.isInteger(n) ? check(n) : "a whole number written in digits";
    if (problem) {
        throw new ConfigError(
            `Configuration key ${key(name)} must be ${problem}, not ${JSON.stringify(raw)}. Fix it with: pulumi config set ${name} ${fallback}`,
        );
    }
    return n;
}

export function readBoolean(source: ConfigSource, name: string, fallback: boolean): boolean {
    const raw = source.get(name);
    if (raw === undefined) {
        return fallback;
    }
    if (raw !== "true" && raw !== "false") {
        throw new ConfigError(
            `Configuration key ${key(name)} must be true or false, not ${JSON.stringify(raw)}. Fix it with: pulumi config set ${name} ${fallback}`,
        );
    }
    return raw === "true";
}

export function readJson<T>(source: ConfigSource, name: string, fallback: T, example: string): T {
    const raw = source.get(name);
    if (raw === undefined) {
        return fallback;
    }
    try {
        return JSON.parse(raw) as T;
    } catch {
        throw new ConfigError(
            `Configuration key ${key(name)} must be JSON (YAML in Pulumi.<stack>.yaml). Fix it with: pulumi config set --path '${name}' '${example}'`,
        );
    }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
