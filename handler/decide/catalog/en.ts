import { RULE_TITLES } from "./ruleTitles";
import {
    REMEDY_LINKS,
    type Catalog,
    type Delay,
    type NewThings,
    type NotAskedReason,
    type QuestionWords,
    type Remedy,
    type SeenWindow,
    type SubjectWords,
} from "./catalog";

function events(n: number): string {
    return n === 1 ? "1 event" : `${n} events`;
}

function delay(d: Delay): string {
    return `${d.n} ${d.unit}`;
}

function firstSeen(who: string, what: NewThings, window: SeenWindow): string {
    const clauses = [
        what.network === undefined ? undefined : `from ${what.network}`,
        what.agent === undefined ? undefined : `with ${what.agent}`,
        what.region === undefined ? undefined : `in ${what.region}`,
    ].filter((c) => c !== undefined);
    const span = "days" in window ? `in ${window.days} days` : `since ${window.since}`;
    return `:new: First sign-in ${clauses.join(" ")} for ${who} ${span}`;
}

/** SNS subjects, which every catalog shares: SNS takes ASCII subjects only. */
export const SUBJECTS: SubjectWords = {
    undelivered: (ruleId, count) => `console-login-alerts: ${count} of rule ${ruleId} not posted to Slack`,
    gap: (ruleId) => `console-login-alerts: rule ${ruleId} has a gap in its lookups`,
    refusedNote: (ruleId) => `console-login-alerts: a note of rule ${ruleId} not posted to Slack`,
    heartbeat: (stopped, logGroup) =>
        stopped
            ? `console-login-alerts: CloudTrail delivery to ${logGroup} stopped`
            : `console-login-alerts: CloudTrail delivery to ${logGroup} resumed`,
    trailStatus: (healthy, trail) =>
        healthy ? `console-login-alerts: trail ${trail} is logging again` : `console-login-alerts: trail ${trail} is not delivering`,
    question: (denied, eventId) =>
        denied
            ? `console-login-alerts: sign-in denied by its person (${eventId})`
            : `console-login-alerts: sign-in not confirmed in time (${eventId})`,
    askingFailed: (eventId) => `console-login-alerts: could not ask about a sign-in (${eventId})`,
    stackSetDrift: (news, stackSet) =>
        ({
            drifted: `console-login-alerts: StackSet ${stackSet} drifted`,
            "in-sync": `console-login-alerts: StackSet ${stackSet} is in sync again`,
            failing: `console-login-alerts: StackSet ${stackSet} drift is not checked`,
            working: `console-login-alerts: StackSet ${stackSet} drift is checked again`,
        })[news],
    events,
};

function notAsked(reason: NotAskedReason): string {
    switch (reason.kind) {
        case "shared":
            return "Nobody was asked: root and role sessions are not one known person.";
        case "unknown-person":
            return `Nobody was asked: no Slack user is known for ${reason.who} (confirmUsers, or an IAM user's email tag).`;
        case "no-slack-user":
            return `Nobody was asked: Slack has no active user with the email ${reason.email}.`;
        case "asking-failed":
            return "Nobody was asked: the Slack app could not send the question; the operators were told.";
    }
}

function remedy(kind: Remedy, account: string): string {
    switch (kind) {
        case "identity-center":
            return (
                `In IAM Identity Center, <${REMEDY_LINKS.identityCenter}|revoke your active sessions and permission set sessions> ` +
                `(account ${account}), then reset your password and MFA. The AWSReservedSSO role cannot be edited in IAM.`
            );
        case "iam-user":
            return (
                `In account ${account}: deactivate the user's access keys, reset the console password and MFA, and ` +
                `<${REMEDY_LINKS.iamUser}|deny the credentials issued so far>; then review recent activity in CloudTrail.`
            );
        case "other":
            return `In account ${account}: <${REMEDY_LINKS.role}|revoke the role's sessions>, then review the sign-in in CloudTrail.`;
    }
}

const QUESTION: QuestionWords = {
    title: "Was this you?",
    intro: (account) => `Someone signed in to the AWS console of account ${account} as you. Was this you?`,
    yes: "Yes, it was me",
    no: "No — alert security",
    waiting: (who, until) => `:hourglass_flowing_sand: Asked ${who} whether this was them; unanswered at ${until}, it escalates.`,
    confirmed: (who, after) => `:white_check_mark: ${who} confirmed it was them (after ${after}).`,
    denied: (who, after) => `:rotating_light: ${who} says it was not them (after ${after}).`,
    unanswered: (who, minutes) => `:warning: ${who} did not answer within ${minutes} min.`,
    notAsked,
    escalation: (v) =>
        v.denied
            ? `${v.title}: ${v.who} says this sign-in was not them. Treat it as an incident.`
            : `${v.title}: ${v.who} did not confirm this sign-in within ${v.minutes} min.`,
    remedy,
    answeredYes: ":white_check_mark: Thanks — recorded: it was you.",
    answeredNo:
        ":rotating_light: Recorded: it was not you. The channel and the operators have been alerted. Nothing was changed in AWS by itself.",
    answeredLate: (minutes) => `:warning: This question was not answered within ${minutes} min and has been escalated.`,
    notYours: (who) => `Only ${who} can answer this question.`,
    otherWorkspace: "This answer came from another Slack workspace and was not taken.",
    expired: (minutes) => `This question was open for ${minutes} min and has expired; it was escalated.`,
    unknownQuestion: "This question is not known to the stack any more (answered long ago, or from another stack).",
    alreadyAnswered: (confirmed) => (confirmed ? "Already answered: it was you." : "Already answered: it was not you."),
    askingFailedNotice: (v) =>
        `The Slack app could not ask about sign-in ${v.eventId} in account ${v.account}: ${v.reason}. ` +
        "The sign-in was posted in the channel all the same; if the question was sent before this failed, it escalates when unanswered.",
    operatorsNotice: (v) =>
        (v.denied
            ? `${v.who} says a sign-in to account ${v.account} was not them (rule ${v.title}, eventID ${v.eventId}).`
            : `${v.who} did not confirm a sign-in to account ${v.account} within ${v.minutes} min (rule ${v.title}, eventID ${v.eventId}).`) +
        " Nothing was changed in AWS by itself; look the event up in CloudTrail by its eventID.",
};

export const EN: Catalog = {
    time: { kind: "sortable" },
    principal: {
        root: "root",
        roleSession: (session, role) => `${session} (role ${role})`,
        federated: (name) => `${name} (federated user)`,
        hiddenUser: "unknown user name",
        unknownUser: "unknown IAM user",
        unknown: "unknown principal",
    },
    signIn: {
        ruleTitles: RULE_TITLES.en,
        knownTitle: (title) => `${title} (known)`,
        newNetworkTitle: (title) => `${title} from a new network`,
        labels: {
            identityType: "Identity type",
            result: "Result",
            mfa: "MFA",
            sourceIp: "Source IP",
            region: "Region",
            time: "Time",
            browser: "Browser",
            account: "Account",
            error: "Error",
            permissionSet: "Permission set",
        },
        results: { Success: "Success", Failure: "Failure", Unknown: "Unknown" },
        mfa: { Yes: "Yes", No: "No", "n/a": "n/a" },
        identityCenterMfa: {
            used: (methods) => `Yes (${methods})`,
            notUsed: (methods) => `No (${methods} only)`,
            unknown: "Unknown (IAM Identity Center)",
        },
        signedIn: "signed in",
        signedInToIdentityCenter: "signed in to IAM Identity Center",
        failedToSignIn: "failed to sign in",
        called: (eventName) => `called ${eventName}`,
        signInStep: (eventName) => `went through the sign-in step ${eventName}`,
        alsoMatches: (titles) => `Also: ${titles}`,
        viewInCloudTrail: "View in CloudTrail",
        eventCount: events,
        part: (index, parts, total) => `Part ${index} of ${parts}: ${total} events in all.`,
        andMore: (n) => `… and ${n} more`,
        fallbackLine: (v) => `${v.who} ${v.verb} (${v.identityType}, MFA ${v.mfa}) from ${v.sourceIp} in ${v.region} at ${v.when}`,
        account: (id, label) => `${id} (${label})`,
        browserOn: (browser, os) => `${browser} on ${os}`,
        unknownAgent: "unknown",
        postedAfter: (after, path, isSignIn) =>
            `posted ${after} after ${isSignIn ? "sign-in" : "the event"}${path === "backstop" ? " (CloudWatch Logs backstop)" : ""}`,
        delay,
        firstSeen,
        noHistory: (who) => `No sign-in history yet for ${who}`,
    },
    alarm: {
        pendingBody: (v) =>
            `${v.mention}${v.title}: alarm ${v.alarm} fired at ${v.when} in account ${v.account}. ` +
            "CloudTrail has not delivered the matching events to CloudWatch Logs yet; they will be posted here as soon as they arrive.",
        pendingText: (v) => `${v.mention}${v.title}: alarm ${v.alarm} fired at ${v.when}; details follow when CloudTrail delivers them.`,
        backToOk: (v) => `:white_check_mark: ${v.title}: alarm ${v.alarm} is back to OK (${v.when}).`,
    },
    notice: {
        idList: (named, more) => `${named} and ${more} more`,
        plainEvents: (v) =>
            `${v.title}: ${v.events} matched, which Slack would not show in full. Look them up in CloudTrail by eventID: ${v.ids}.`,
        gapWarning: (v) =>
            `:warning: ${v.title}: events of ${v.from} to ${v.to} were not looked up. ` +
            "The rule's lookups stopped for longer than the function looks back; search the trail's log group or CloudTrail for that time.",
        undelivered: (v) =>
            `Slack refused ${v.events} of rule ${v.ruleId} (${v.title}), in Block Kit and as plain text: ${v.reason}\n` +
            `They are recorded as failed and will not be tried again. Look them up in CloudTrail by eventID: ${v.ids}.`,
        gap: (v) =>
            `Events of rule ${v.ruleId} (${v.title}) from ${v.from} to ${v.to} were not looked up: ` +
            "the rule's lookups stopped for longer than the function looks back (as long as the dead-letter queue keeps a notification). " +
            "Search the trail's log group or CloudTrail for that time; lookups continue from the limit.",
        refusedNote: (v) => `Slack refused this note of rule ${v.ruleId}, in Block Kit and as plain text: ${v.reason}\n${v.text}`,
    },
    subjects: SUBJECTS,
    heartbeat: {
        stoppedTitle: "CloudTrail delivery stopped",
        stopped: (v) =>
            `${v.mention}No CloudTrail events have reached log group ${v.logGroup} for ${v.quiet}: alerts are blind until delivery resumes. ` +
            "Check that the trail is logging and that its role can write to the log group.",
        resumed: (v) => `:white_check_mark: CloudTrail delivery to log group ${v.logGroup} has resumed (${v.when}).`,
        notice: (v) =>
            v.stopped
                ? `No CloudTrail events have reached log group ${v.logGroup} for ${v.quiet} (alarm ${v.alarm}, ${v.when}): ` +
                  "sign-in alerts are blind until delivery resumes. Check that the trail is logging and that its role can write to the log group."
                : `CloudTrail delivery to log group ${v.logGroup} has resumed (alarm ${v.alarm}, ${v.when}).`,
    },
    trailStatus: {
        title: "CloudTrail trail not delivering",
        stopped: "CloudTrail says it is not logging",
        logsError: (error) => `CloudTrail cannot deliver to CloudWatch Logs: ${error}`,
        s3Error: (error) => `CloudTrail cannot deliver to its S3 bucket: ${error}`,
        stale: (since) => `CloudTrail has delivered nothing to CloudWatch Logs since ${since}`,
        unreadable: (error) => `the function cannot read its status: ${error}`,
        problem: (v) =>
            `${v.mention}Trail ${v.trail}: ${v.problem}. Sign-ins are not seen while this lasts, whatever reaches the log group; ` +
            "check the trail (StartLogging) and its role, and CloudTrail in this account for who changed them.",
        healthy: (v) => `:white_check_mark: Trail ${v.trail} is logging and delivering again.`,
        notice: (v) =>
            v.problem === undefined
                ? `Trail ${v.trail} is logging and delivering again.`
                : `Trail ${v.trail}: ${v.problem}. Sign-ins are not seen while this lasts, whatever reaches the log group; ` +
                  "check the trail (StartLogging) and its role, and CloudTrail in this account for who changed them.",
    },
    stackSetDrift: {
        title: "Member accounts' forwarding changed outside CloudFormation",
        instances: (n) => (n === 1 ? "1 stack instance" : `${n} stack instances`),
        drifted: (v) =>
            `${v.mention}StackSet ${v.stackSet}: drift detection found ${v.instances} changed outside CloudFormation. ` +
            "A forwarding rule or role of these accounts no longer matches the template, so their sign-ins may not reach Slack within seconds; " +
            "the organization trail still brings them. Find who changed it in CloudTrail, then restore it (update the StackSet) or explain it.",
        instanceLine: (account, region) => `${account} in ${region}`,
        labels: { unit: "Organizational unit", checked: "Drift checked" },
        howToSee: (v) =>
            `What changed: aws cloudformation list-stack-instance-resource-drifts --stack-set-name ${v.stackSet} ` +
            `--operation-id ${v.operation} --call-as ${v.callAs} --stack-instance-account <account> --stack-instance-region <region>`,
        inSync: (stackSet) => `StackSet ${stackSet}: every stack instance matches the template again.`,
        failingTitle: "StackSet drift not checked",
        failing: (v) =>
            `${v.mention}StackSet ${v.stackSet}: no drift detection has completed since ${v.since}: ${v.problem}. ` +
            "Changes to the member accounts' forwarding that the tampering rules do not name go unseen while this lasts; " +
            "look at the StackSet's operations in the CloudFormation console.",
        working: (stackSet) => `StackSet ${stackSet}: drift detections complete again.`,
        problem: {
            running: (operation, since) => `detection ${operation}, started ${since}, has not ended`,
            ended: (operation, status, reason) => `detection ${operation} ended ${status}${reason === undefined ? "" : ` (${reason})`}`,
            partial: (operation, failed, total) => `detection ${operation} could not check ${failed} of ${total} stack instances`,
            busy: "other operations of the StackSet kept every detection from starting",
            error: (error) => `CloudFormation answered ${error}`,
        },
    },
    summary: {
        title: (period) => (period === "daily" ? "Daily sign-in summary" : "Weekly sign-in summary"),
        period: (from, to) => `${from} – ${to}`,
        total: (n) => `${events(n)} posted in all`,
        byRule: "By rule",
        topPrincipals: "Top principals",
        newNetworks: "New networks",
        none: "None",
        countLine: (name, n) => `${name}: ${n}`,
        newNetworkLine: (who, network) => `${who} from ${network}`,
        inAccount: (who, account) => `${who} in ${account}`,
        more: (n) => `… and ${n} more`,
        backstopOnly: (n) => `Posted by the CloudWatch Logs backstop alone (EventBridge did not bring them): ${n}`,
        failures: (n) => `Refused by Slack and reported to the operators: ${n}`,
        unnamed: (n) => `By principals not named (more in one hour than the tally names): ${n}`,
    },
    question: QUESTION,
};
