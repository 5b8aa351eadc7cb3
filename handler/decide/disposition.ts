import { inNetwork, parseCidr, parseRolePattern, type AllowEntry } from "../../shared/allowList";
import type { SignIn } from "../common/types";

/** Report as the rule says, post as informational without the mention, or record as handled without posting. */
export type Disposition = "report" | "downgrade" | "suppress";

function matches(entry: AllowEntry, ruleId: string, signIn: SignIn): boolean {
    if (entry.rules && !entry.rules.includes(ruleId)) {
        return false;
    }
    // Every criterion given must hold: a user name alone, or a user name from a known network.
    if (entry.userNames?.length && !(signIn.userName !== undefined && entry.userNames.includes(signIn.userName))) {
        return false;
    }
    if (entry.rolePatterns?.length) {
        const role = signIn.roleName;
        if (role === undefined || !entry.rolePatterns.some((p) => parseRolePattern(p)?.test(role))) {
            return false;
        }
    }
    if (
        entry.cidrs?.length &&
        !entry.cidrs.some((c) => {
            const network = parseCidr(c);
            return network !== undefined && inNetwork(signIn.sourceIp, network);
        })
    ) {
        return false;
    }
    return true;
}

/** What to do with a sign-in: the strongest matching entry wins (suppress over downgrade). */
export function dispositionOf(entries: readonly AllowEntry[], ruleId: string, signIn: SignIn): Disposition {
    let result: Disposition = "report";
    for (const entry of entries) {
        if (matches(entry, ruleId, signIn)) {
            if (entry.action === "suppress") {
                return "suppress";
            }
            result = "downgrade";
        }
    }
    return result;
}
