/**
 * The organization's accounts as AWS Organizations knows them: whether an account is a member, and
 * its name, shown where the stack configures no label. Asked once per account and container.
 */
import { log } from "../common/log";

/** What AWS Organizations says of an account: a member and its name, or not a member. */
export type AccountStanding = { member: true; name: string } | { member: false };

/** AWS Organizations' DescribeAccount: the account's name, or undefined for AccountNotFoundException. */
export type DescribeAccount = (accountId: string) => Promise<{ name: string } | undefined>;

export interface AccountDirectory {
    standing(accountId: string): Promise<AccountStanding>;
    /** The configured labels, completed with the names of the given accounts that have none. */
    labelsFor(accountIds: readonly string[], configured: Readonly<Record<string, string>>): Promise<Record<string, string>>;
}

// An account may join the organization at any time: an answer of "not a member" is asked again
// after this long, where a member's name is kept for the container's life.
const NOT_MEMBER_TTL_MS = 5 * 60_000;

/**
 * A directory that asks `describe` and remembers the answers, one per container: the map is made
 * here, not at module scope, so each handler (and each test) starts with its own.
 */
export function accountDirectory(describe: DescribeAccount, now: () => number): AccountDirectory {
    const known = new Map<string, { standing: AccountStanding; atMs: number }>();
    const standing = async (accountId: string): Promise<AccountStanding> => {
        const kept = known.get(accountId);
        if (kept && (kept.standing.member || now() - kept.atMs < NOT_MEMBER_TTL_MS)) {
            return kept.standing;
        }
        const described = await describe(accountId);
        const answer: AccountStanding = described ? { member: true, name: described.name } : { member: false };
        known.set(accountId, { standing: answer, atMs: now() });
        return answer;
    };
    return {
        standing,
        async labelsFor(accountIds, configured) {
            const labels: Record<string, string> = { ...configured };
            for (const id of new Set(accountIds)) {
                if (labels[id] !== undefined) {
                    continue;
                }
                try {
                    const answer = await standing(id);
                    if (answer.member) {
                        labels[id] = answer.name;
                    }
                } catch (err) {
                    // A name is a courtesy: the sign-in is posted with the account id alone.
                    log("warn", "could not read an account's name from AWS Organizations", {
                        accountId: id,
                        error: (err as Error).message,
                    });
                }
            }
            return labels;
        },
    };
}
