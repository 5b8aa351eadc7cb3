/**
 * "Was this you?" settings: `confirm` (which rules' and severities' sign-ins are asked about, and
 * the channel the Slack app posts them in), `confirmMinutes`, `confirmUsers`, and the app's two
 * secrets, `slackBotToken` and `slackSigningSecret`. Off unless `confirm` names a rule or severity.
 */
import { EMAIL_ADDRESS, SLACK_USER_ID } from "../shared/addresses";
import type { ConfirmConfig } from "../shared/confirm";
import type { Severity } from "../shared/contract";
import { ConfigError, isRecord, key, readInteger, readJson, readOptional, type ConfigSource } from "./configValues";
import { DEFAULTS } from "./defaults";
import { isSeverity, SEVERITIES } from "./ruleSettings";

/** The settings, with the two secrets in plain text in memory only: the program wraps them with `pulumi.secret`. */
export interface ConfirmSettings extends ConfirmConfig {
    slackBotToken: string;
    slackSigningSecret: string;
}

// Slack's conversation ids: C… (public), G… (private) (api.slack.com/types/conversation).
const CHANNEL_ID = /^[CG][A-Z0-9]{8,}$/;
// An IAM user or Identity Center user name, optionally `<account id>/` before it.
const PRINCIPAL = /^(\d{12}\/)?[\w+=,.@-]{1,128}$/;
const EXAMPLE = '{"rules":["signin-without-mfa"],"severities":["critical"],"channel":"C0123ABCDEF"}';

function readScope(source: ConfigSource, ruleIds: readonly string[]): { rules: string[]; severities: Severity[]; channel?: string } {
    const raw = readJson<unknown>(source, "confirm", DEFAULTS.confirm, EXAMPLE);
    const fix = `Fix it with: pulumi config set --path 'confirm' '${EXAMPLE}'`;
    if (!isRecord(raw) || Object.keys(raw).some((k) => !["rules", "severities", "channel"].includes(k))) {
        throw new ConfigError(`Configuration key ${key("confirm")} takes rules, severities and channel only, e.g. ${EXAMPLE}. ${fix}`);
    }
    const rules = raw["rules"] ?? [];
    const unknownRule = Array.isArray(rules) ? rules.find((r) => typeof r !== "string" || !ruleIds.includes(r)) : rules;
    if (!Array.isArray(rules) || unknownRule !== undefined) {
        throw new ConfigError(
            `Configuration key ${key("confirm.rules")} must list the stack's rule ids (${ruleIds.join(", ")}), not ${JSON.stringify(unknownRule)}. ${fix}`,
        );
    }
    const severities = raw["severities"] ?? [];
    if (!Array.isArray(severities) || !severities.every((s) => typeof s === "string" && isSeverity(s))) {
        throw new ConfigError(`Configuration key ${key("confirm.severities")} must list severities (${SEVERITIES.join(", ")}). ${fix}`);
    }
    const channel = raw["channel"];
    if (channel !== undefined && (typeof channel !== "string" || !CHANNEL_ID.test(channel))) {
        throw new ConfigError(
            `Configuration key ${key("confirm.channel")} must be a Slack channel id such as C0123ABCDEF (the channel's details show it). ${fix}`,
        );
    }
    return { rules: rules as string[], severities: severities as Severity[], ...(typeof channel === "string" ? { channel } : {}) };
}

function readUsers(source: ConfigSource): Record<string, string> {
    const example = '{"alice":"U0123ABCDEF","111122223333/bob":"bob@example.com"}';
    const users = readJson<unknown>(source, "confirmUsers", DEFAULTS.confirmUsers, example);
    const bad = isRecord(users)
        ? Object.entries(users).find(
              ([who, whom]) => !PRINCIPAL.test(who) || typeof whom !== "string" || !(SLACK_USER_ID.test(whom) || EMAIL_ADDRESS.test(whom)),
          )
        : undefined;
    if (!isRecord(users) || bad) {
        throw new ConfigError(
            `Configuration key ${key(bad ? `confirmUsers.${bad[0]}` : "confirmUsers")} must map an IAM or Identity Center user name ` +
                `(optionally <account id>/name) to a Slack user id or email, e.g. ${example}.`,
        );
    }
    return users as Record<string, string>;
}

// Never echoed: a secret is a secret even when it is wrong.
function readAppSecret(source: ConfigSource, name: "slackBotToken" | "slackSigningSecret", what: string, valid: RegExp): string {
    const fix = `Set it with: pulumi config set --secret ${name} <${what}>`;
    const value = readOptional(source, name)?.trim();
    if (value === undefined) {
        throw new ConfigError(`Missing configuration key ${key(name)}: the Slack app's ${what}, which asking people needs. ${fix}`);
    }
    if (!source.isSecret(name)) {
        throw new ConfigError(`Configuration key ${key(name)} is stored in plain text. Store it as a secret: ${fix}`);
    }
    if (!valid.test(value)) {
        throw new ConfigError(`Configuration key ${key(name)} is not a Slack app's ${what}. ${fix}`);
    }
    return value;
}

/** Reads the keys; undefined when nobody is to be asked, and then none of the others may be set. */
export function readConfirm(source: ConfigSource, ruleIds: readonly string[]): ConfirmSettings | undefined {
    const scope = readScope(source, ruleIds);
    const minutes = readInteger(source, "confirmMinutes", DEFAULTS.confirmMinutes, (n) =>
        n >= 5 && n <= 1440 ? undefined : "between 5 and 1440",
    );
    const users = readUsers(source);
    if (scope.rules.length === 0 && scope.severities.length === 0) {
        const stray = ["slackBotToken", "slackSigningSecret", "confirmUsers"].find(
            (k) => readOptional(source, k) !== undefined && readOptional(source, k) !== "{}",
        );
        if (stray || scope.channel) {
            throw new ConfigError(
                `Configuration key ${key(stray ?? "confirm.channel")} is set, but ${key("confirm")} names no rule or severity to ask about. ` +
                    `Name one with: pulumi config set --path 'confirm' '${EXAMPLE}', or remove it with: pulumi config rm ${stray ?? "confirm"}`,
            );
        }
        return undefined;
    }
    if (!scope.channel) {
        throw new ConfigError(
            `Configuration key ${key("confirm.channel")} is missing: the channel id where the Slack app posts the sign-ins it asks about. ` +
                `Set it with: pulumi config set --path 'confirm.channel' C0123ABCDEF`,
        );
    }
    return {
        rules: scope.rules,
        severities: scope.severities,
        channel: scope.channel,
        minutes,
        users,
        // Bot tokens start xoxb- (api.slack.com/authentication/token-types).
        slackBotToken: readAppSecret(source, "slackBotToken", "bot token (xoxb-…)", /^xoxb-[A-Za-z0-9-]{10,250}$/),
        slackSigningSecret: readAppSecret(source, "slackSigningSecret", "signing secret", /^[A-Za-z0-9]{16,128}$/),
    };
}
