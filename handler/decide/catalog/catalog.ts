/**
 * The message catalog: every word the function shows a person in Slack or in an operators' email,
 * one catalog per language with exactly the same entries. Builders pass values in (already made
 * literal, so a catalog never sees raw event data) and place what comes back; a translation
 * replaces an entry, never the code that calls it.
 *
 * Not in the catalog, on purpose:
 * - Error messages and log lines stay English in every language: they are for operators reading
 *   CloudWatch Logs and searching for them, not for the channel.
 * - SNS email subjects stay English (ASCII) in every language: SNS refuses a subject that is not
 *   ASCII. The `subjects` entries of every catalog are the English ones.
 * - Emoji shortcodes (":warning:") are markup, not text; they are the same in every language.
 *
 * AWS terms keep their AWS names in every language, as the Japanese AWS consoles show them:
 * identity types as CloudTrail records them (IAMUser, AssumedRole, Root, FederatedUser), the
 * principal "root", event names (ConsoleLogin, SwitchRole), region codes, IAM Identity Center's
 * credential types (PASSWORD, WEBAUTHN, TOTP), and service names (CloudTrail, CloudWatch Logs,
 * EventBridge, IAM Identity Center, MFA). Words the Japanese consoles translate are translated in
 * their console wording: 証跡 (trail), ロググループ (log group), 許可セット (permission set),
 * リージョン (region), プリンシパル (principal), ルートユーザー (root user, in prose).
 */
import type { BuiltInTitles } from "./ruleTitles";

/** Which path posted an event: EventBridge's event (seconds, best effort), or the CloudWatch Logs lookup (alarm or sweep). */
export type DeliveryPath = "fast" | "backstop";

/** A delay or duration in whole units, rounded down; each catalog words it its own way. */
export interface Delay {
    n: number;
    unit: "s" | "min" | "h" | "d";
}

/** A delay in plain units, rounded down: 14 s, 6 min, 3 h, 2 d. Negative delays (clock skew) are 0 s. */
export function splitDelay(delayMs: number): Delay {
    const seconds = Number.isFinite(delayMs) ? Math.max(0, Math.floor(delayMs / 1000)) : 0;
    if (seconds < 60) {
        return { n: seconds, unit: "s" };
    }
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) {
        return { n: minutes, unit: "min" };
    }
    const hours = Math.floor(minutes / 60);
    return hours < 48 ? { n: hours, unit: "h" } : { n: Math.floor(hours / 24), unit: "d" };
}

/**
 * How a language writes times. "sortable": 2021-06-08 16:53:06 Asia/Tokyo, built by hand (and by
 * Intl for the zone). "intl": Intl.DateTimeFormat with the locale and these options, plus the zone.
 */
export type TimeStyle =
    { kind: "sortable" } | { kind: "intl"; locale: string; dateTime: Intl.DateTimeFormatOptions; date: Intl.DateTimeFormatOptions };

export type { BuiltInTitles } from "./ruleTitles";

/** Field labels of a sign-in's section. */
export interface FieldLabels {
    identityType: string;
    result: string;
    mfa: string;
    sourceIp: string;
    region: string;
    time: string;
    browser: string;
    account: string;
    error: string;
    permissionSet: string;
}

/** What the first-seen line of a sign-in says is new: each value already made literal. */
export interface NewThings {
    network?: string;
    agent?: string;
    region?: string;
}

/** The first-seen window: the last `days` days, or since `since` (a formatted date) when history is younger. */
export type SeenWindow = { days: number } | { since: string };

/**
 * The words around a principal's names. AWS's own names stay as the consoles write them in every
 * language ("root", role and user names); what is said about them is translated.
 */
export interface PrincipalWords {
    root: string;
    /** A role session that is not IAM Identity Center's: "alice (role Admin)". */
    roleSession(session: string, role: string): string;
    federated(name: string): string;
    /** CloudTrail hides the user name of a failed sign-in with an unknown user name. */
    hiddenUser: string;
    unknownUser: string;
    unknown: string;
}

/** Everything a sign-in message says besides event data. */
export interface SignInWords {
    /** Built-in rule titles; a rule still titled as in English is shown with this language's title. */
    ruleTitles: BuiltInTitles;
    /** Header of allow-listed sign-ins posted as informational. */
    knownTitle(title: string): string;
    /** Header of sign-ins whose severity was raised because they came from a network new to the principal. */
    newNetworkTitle(title: string): string;
    labels: FieldLabels;
    results: Record<"Success" | "Failure" | "Unknown", string>;
    mfa: Record<"Yes" | "No" | "n/a", string>;
    /** The MFA of an IAM Identity Center sign-in: the methods of the person's last Identity Center authentication. */
    identityCenterMfa: { used(methods: string): string; notUsed(methods: string): string; unknown: string };
    signedIn: string;
    /** An IAM Identity Center UserAuthentication event: the person signed in to the access portal. */
    signedInToIdentityCenter: string;
    failedToSignIn: string;
    called(eventName: string): string;
    /** A sign-in event that is a step of signing in (PasswordUpdated, ExternalIdPDirectoryLogin, SwitchRole), not an API call. */
    signInStep(eventName: string): string;
    /** The other rules an event matches, named on the one message that posts it. */
    alsoMatches(titles: string): string;
    viewInCloudTrail: string;
    eventCount(n: number): string;
    /** Context line of a message split in parts. */
    part(index: number, parts: number, total: number): string;
    /** The fallback text's last line when it cannot hold every sign-in. */
    andMore(n: number): string;
    fallbackLine(v: ShownSignIn): string;
    account(id: string, label: string): string;
    /** A browser and its operating system: "Chrome 91 on Windows". */
    browserOn(browser: string, os: string): string;
    unknownAgent: string;
    /** "posted 14 s after sign-in", "(CloudWatch Logs backstop)" when the backstop posted it. */
    postedAfter(delay: string, path: DeliveryPath, isSignIn: boolean): string;
    delay(d: Delay): string;
    firstSeen(who: string, what: NewThings, window: SeenWindow): string;
    noHistory(who: string): string;
}

/** What an alarm alone says: events on their way, or back to OK. `title` is bold mrkdwn or plain, as the builder needs. */
export interface AlarmWords {
    pendingBody(v: { mention: string; title: string; alarm: string; when: string; account: string }): string;
    pendingText(v: { mention: string; title: string; alarm: string; when: string }): string;
    backToOk(v: { title: string; alarm: string; when: string }): string;
}

/** Notes in the channel that are not about one sign-in, and the operators' emails. */
export interface NoticeWords {
    idList(named: string, more: number): string;
    plainEvents(v: { title: string; events: string; ids: string }): string;
    gapWarning(v: { title: string; from: string; to: string }): string;
    undelivered(v: { ruleId: string; title: string; events: string; reason: string; ids: string }): string;
    gap(v: { ruleId: string; title: string; from: string; to: string }): string;
    refusedNote(v: { ruleId: string; reason: string; text: string }): string;
}

/** SNS subjects: ASCII, one line, under 100 characters. English in every catalog (see the module comment). */
export interface SubjectWords {
    undelivered(ruleId: string, events: string): string;
    gap(ruleId: string): string;
    refusedNote(ruleId: string): string;
    heartbeat(stopped: boolean, logGroup: string): string;
    trailStatus(healthy: boolean, trail: string): string;
    question(denied: boolean, eventId: string): string;
    askingFailed(eventId: string): string;
    stackSetDrift(news: "drifted" | "in-sync" | "failing" | "working", stackSet: string): string;
    /** "1 event", "2 events", in the subject's English. */
    events(n: number): string;
}

/** The delivery heartbeat: CloudTrail stopped (or resumed) reaching the trail's log group. */
export interface HeartbeatWords {
    stoppedTitle: string;
    stopped(v: { mention: string; logGroup: string; quiet: string }): string;
    resumed(v: { logGroup: string; when: string }): string;
    /** The operators' email for either state. */
    notice(v: { stopped: boolean; logGroup: string; quiet: string; when: string; alarm: string }): string;
}

/** CloudTrail's own status of the trail (GetTrailStatus), told once per change of state. */
export interface TrailStatusWords {
    title: string;
    /** What is wrong, one clause each; values already made literal. */
    stopped: string;
    logsError(error: string): string;
    s3Error(error: string): string;
    stale(since: string): string;
    unreadable(error: string): string;
    /** The channel's message for a problem. */
    problem(v: { mention: string; trail: string; problem: string }): string;
    healthy(v: { trail: string }): string;
    /** The operators' email for either. */
    notice(v: { trail: string; problem: string | undefined }): string;
}

/**
 * The organization's StackSet checked for drift, told once per change: stack instances changed
 * outside CloudFormation, all in sync again, no detection completing, detections completing again.
 * Values come in already made literal; the channel's and the email's texts are the same words.
 */
export interface StackSetDriftWords {
    title: string;
    /** "1 stack instance", "2 stack instances". */
    instances(n: number): string;
    drifted(v: { mention: string; stackSet: string; instances: string }): string;
    /** One drifted instance on a line of its own (the text fallback and the email). */
    instanceLine(account: string, region: string): string;
    labels: { unit: string; checked: string };
    /** The command that shows what changed in one instance; `operation` is the detection's id. */
    howToSee(v: { stackSet: string; operation: string; callAs: string }): string;
    inSync(stackSet: string): string;
    failingTitle: string;
    failing(v: { mention: string; stackSet: string; since: string; problem: string }): string;
    working(stackSet: string): string;
    /** What kept the detections from completing, one clause each. */
    problem: {
        running(operation: string, since: string): string;
        ended(operation: string, status: string, reason: string | undefined): string;
        partial(operation: string, failed: number, total: number): string;
        busy: string;
        error(error: string): string;
    };
}

/** The periodic summary. */
export interface SummaryWords {
    title(period: "daily" | "weekly"): string;
    period(from: string, to: string): string;
    total(n: number): string;
    byRule: string;
    topPrincipals: string;
    newNetworks: string;
    none: string;
    /** One line of a count list: "Console sign-in: 3". */
    countLine(name: string, n: number): string;
    newNetworkLine(who: string, network: string): string;
    /** A principal of a summary that names accounts, and its account as a sign-in names it: "root in 444455556666 (payments-prod)". */
    inAccount(who: string, account: string): string;
    /** The last line of a list that could not show everything. */
    more(n: number): string;
    backstopOnly(n: number): string;
    failures(n: number): string;
    /** Events counted without their principal's name: more principals in an hour than its tally names. */
    unnamed(n: number): string;
}

/** One sign-in's words, each made literal where it is event data: the block and the fallback line both show them. */
export interface ShownSignIn {
    who: string;
    verb: string;
    identityType: string;
    mfa: string;
    sourceIp: string;
    region: string;
    when: string;
}

/** Why nobody was asked about a sign-in; each catalog words it. */
export type NotAskedReason =
    { kind: "shared" } | { kind: "unknown-person"; who: string } | { kind: "no-slack-user"; email: string } | { kind: "asking-failed" };

/** What a person can do once they say a sign-in was not theirs, by the kind of principal. */
export type Remedy = "identity-center" | "iam-user" | "other";

/**
 * Where AWS says how, by kind. An Identity Center role cannot be edited in IAM: its sessions are
 * revoked in Identity Center (IAM User Guide, "Disabling permissions for temporary security
 * credentials"; IAM Identity Center User Guide, "Revoke active IAM role sessions created by
 * permission sets"). Every catalog links the same pages.
 */
export const REMEDY_LINKS = {
    identityCenter: "https://docs.aws.amazon.com/singlesignon/latest/userguide/useraccess.html#revoke-user-permissions",
    iamUser: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html",
    role: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html",
} as const;

/** "Was this you?": the question in a direct message, its state on the channel's message, and the replies. */
export interface QuestionWords {
    title: string;
    intro(account: string): string;
    yes: string;
    no: string;
    /** The state line on the channel's message; `who` is a Slack mention, `after` a worded delay. */
    waiting(who: string, until: string): string;
    confirmed(who: string, after: string): string;
    denied(who: string, after: string): string;
    unanswered(who: string, minutes: number): string;
    notAsked(reason: NotAskedReason): string;
    /** The channel's escalation, with the severity's mention before it. */
    escalation(v: { title: string; who: string; denied: boolean; minutes: number }): string;
    /** What the person who said "no" is told to do: nothing irreversible happens by itself. */
    remedy(kind: Remedy, account: string): string;
    /** The direct message once answered. */
    answeredYes: string;
    answeredNo: string;
    answeredLate(minutes: number): string;
    /** Ephemeral replies to a click that is not taken. */
    notYours(who: string): string;
    otherWorkspace: string;
    expired(minutes: number): string;
    unknownQuestion: string;
    alreadyAnswered(confirmed: boolean): string;
    /** The operators' email when asking failed: the sign-in was posted in the channel all the same. */
    askingFailedNotice(v: { eventId: string; account: string; reason: string }): string;
    /** The operators' email: what happened and where to look. */
    operatorsNotice(v: { title: string; who: string; denied: boolean; eventId: string; account: string; minutes: number }): string;
}

export interface Catalog {
    time: TimeStyle;
    principal: PrincipalWords;
    signIn: SignInWords;
    alarm: AlarmWords;
    notice: NoticeWords;
    subjects: SubjectWords;
    heartbeat: HeartbeatWords;
    trailStatus: TrailStatusWords;
    stackSetDrift: StackSetDriftWords;
    summary: SummaryWords;
    question: QuestionWords;
}
