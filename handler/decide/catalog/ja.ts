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
} from "./catalog";
import { SUBJECTS } from "./en";

// Japanese alerts follow the AWS console's Japanese: short noun phrases, a space between Japanese
// and Latin words, and a half-width space after a *bold* value, without which Slack does not
// render the bold next to Japanese text.

const UNITS: Record<Delay["unit"], string> = { s: "秒", min: "分", h: "時間", d: "日" };

function delay(d: Delay): string {
    return `${d.n}${UNITS[d.unit]}`;
}

function firstSeen(who: string, what: NewThings, window: SeenWindow): string {
    const clauses = [
        what.network === undefined ? undefined : `ネットワーク ${what.network}`,
        what.agent === undefined ? undefined : `ブラウザ ${what.agent}`,
        what.region === undefined ? undefined : `リージョン ${what.region}`,
    ].filter((c) => c !== undefined);
    const span = "days" in window ? `過去 ${window.days} 日間` : `${window.since}以降`;
    return `:new: ${who} の新しいサインイン元（${span}で初めて）: ${clauses.join("、")}`;
}

function notAsked(reason: NotAskedReason): string {
    switch (reason.kind) {
        case "shared":
            return "確認先なし: ルートユーザーとロールのセッションは特定の 1 人ではありません。";
        case "unknown-person":
            return `確認先なし: ${reason.who} に対応する Slack ユーザーが不明です（confirmUsers、または IAM ユーザーの email タグ）。`;
        case "no-slack-user":
            return `確認先なし: メールアドレス ${reason.email} の有効な Slack ユーザーがいません。`;
        case "asking-failed":
            return "確認先なし: Slack アプリが質問を送れませんでした。運用担当に通知しました。";
    }
}

function remedy(kind: Remedy, account: string): string {
    switch (kind) {
        case "identity-center":
            return (
                `IAM Identity Center で<${REMEDY_LINKS.identityCenter}|アクティブなセッションと許可セットのセッションを取り消し>（アカウント ${account}）、` +
                "パスワードと MFA をリセットしてください。AWSReservedSSO のロールは IAM では編集できません。"
            );
        case "iam-user":
            return (
                `アカウント ${account} で、アクセスキーを無効化し、コンソールパスワードと MFA をリセットして、` +
                `<${REMEDY_LINKS.iamUser}|発行済みの認証情報を拒否>してください。その後 CloudTrail で最近の操作を確認してください。`
            );
        case "other":
            return `アカウント ${account} で<${REMEDY_LINKS.role}|ロールのセッションを取り消し>、CloudTrail でこのサインインを確認してください。`;
    }
}

const QUESTION: QuestionWords = {
    title: "これはあなたですか？",
    intro: (account) => `アカウント ${account} の AWS コンソールに、あなたとしてサインインがありました。これはあなたですか？`,
    yes: "はい、私です",
    no: "いいえ — セキュリティに通知",
    waiting: (who, until) => `:hourglass_flowing_sand: ${who} に本人か確認中です。${until} までに回答がなければエスカレーションします。`,
    confirmed: (who, after) => `:white_check_mark: ${who} が本人と確認しました（${after} 後）。`,
    denied: (who, after) => `:rotating_light: ${who} は本人ではないと回答しました（${after} 後）。`,
    unanswered: (who, minutes) => `:warning: ${who} は ${minutes} 分以内に回答しませんでした。`,
    notAsked,
    escalation: (v) =>
        v.denied
            ? `${v.title}: ${v.who} はこのサインインを本人ではないと回答しました。インシデントとして扱ってください。`
            : `${v.title}: ${v.who} は ${v.minutes} 分以内にこのサインインを確認しませんでした。`,
    remedy,
    answeredYes: ":white_check_mark: ありがとうございます。本人と記録しました。",
    answeredNo: ":rotating_light: 本人ではないと記録しました。チャンネルと運用担当に通知しました。AWS 側では何も自動で変更していません。",
    answeredLate: (minutes) => `:warning: この質問は ${minutes} 分以内に回答されず、エスカレーションされました。`,
    notYours: (who) => `この質問に回答できるのは ${who} だけです。`,
    otherWorkspace: "この回答は別の Slack ワークスペースからのため、受け付けませんでした。",
    expired: (minutes) => `この質問は ${minutes} 分で期限切れとなり、エスカレーションされました。`,
    unknownQuestion: "この質問はこのスタックで見つかりません（ずっと前に回答済みか、別のスタックのものです）。",
    alreadyAnswered: (confirmed) => (confirmed ? "回答済み: 本人です。" : "回答済み: 本人ではありません。"),
    askingFailedNotice: (v) =>
        `Slack アプリは、アカウント ${v.account} のサインイン ${v.eventId} について確認できませんでした: ${v.reason}。` +
        "サインインはチャンネルに投稿済みです。質問が送られていれば、回答がないときにエスカレーションします。",
    operatorsNotice: (v) =>
        (v.denied
            ? `${v.who} は、アカウント ${v.account} へのサインインを本人ではないと回答しました（ルール ${v.title}、eventID ${v.eventId}）。`
            : `${v.who} は、アカウント ${v.account} へのサインインを ${v.minutes} 分以内に確認しませんでした（ルール ${v.title}、eventID ${v.eventId}）。`) +
        " AWS 側では何も自動で変更していません。CloudTrail で eventID を検索してください。",
};

export const JA: Catalog = {
    time: {
        kind: "intl",
        locale: "ja-JP",
        // 2026年11月29日 20:47 JST
        dateTime: {
            year: "numeric",
            month: "long",
            day: "numeric",
            hour: "2-digit",
            minute: "2-digit",
            hourCycle: "h23",
            timeZoneName: "short",
        },
        date: { year: "numeric", month: "long", day: "numeric" },
    },
    principal: {
        root: "root",
        roleSession: (session, role) => `${session}（ロール ${role}）`,
        federated: (name) => `${name}（フェデレーションユーザー）`,
        hiddenUser: "不明なユーザー名",
        unknownUser: "不明な IAM ユーザー",
        unknown: "不明なプリンシパル",
    },
    signIn: {
        ruleTitles: RULE_TITLES.ja,
        knownTitle: (title) => `${title}（既知）`,
        newNetworkTitle: (title) => `${title}（新しいネットワーク）`,
        labels: {
            identityType: "ID タイプ",
            result: "結果",
            mfa: "MFA",
            sourceIp: "送信元 IP",
            region: "リージョン",
            time: "日時",
            browser: "ブラウザ",
            account: "アカウント",
            error: "エラー",
            permissionSet: "許可セット",
        },
        results: { Success: "成功", Failure: "失敗", Unknown: "不明" },
        mfa: { Yes: "あり", No: "なし", "n/a": "対象外" },
        identityCenterMfa: {
            used: (methods) => `あり (${methods})`,
            notUsed: (methods) => `なし (${methods} のみ)`,
            unknown: "不明 (IAM Identity Center)",
        },
        signedIn: "がサインイン",
        signedInToIdentityCenter: "が IAM Identity Center にサインイン",
        failedToSignIn: "のサインインが失敗",
        called: (eventName) => `が ${eventName} を実行`,
        signInStep: (eventName) => `がサインインの手順 ${eventName} を実行`,
        alsoMatches: (titles) => `ほかに該当: ${titles}`,
        viewInCloudTrail: "CloudTrail で表示",
        eventCount: (n) => `${n} 件`,
        part: (index, parts, total) => `分割投稿 ${index}/${parts}（全 ${total} 件）`,
        andMore: (n) => `…ほか ${n} 件`,
        fallbackLine: (v) => `${v.who} ${v.verb}（${v.identityType}、MFA ${v.mfa}）送信元 ${v.sourceIp}、${v.region}、${v.when}`,
        account: (id, label) => `${id} (${label})`,
        browserOn: (browser, os) => `${browser} (${os})`,
        unknownAgent: "不明",
        postedAfter: (after, path, isSignIn) =>
            `${isSignIn ? "サインイン" : "イベント"}の${after}後に投稿${path === "backstop" ? "（CloudWatch Logs 経由）" : ""}`,
        delay,
        firstSeen,
        noHistory: (who) => `${who} のサインイン履歴はまだありません`,
    },
    alarm: {
        pendingBody: (v) =>
            `${v.mention}${v.title}: アラーム ${v.alarm} が ${v.when} に発生（アカウント ${v.account}）。` +
            "CloudTrail から CloudWatch Logs にイベントがまだ届いていません。届きしだいここに投稿します。",
        pendingText: (v) => `${v.mention}${v.title}: アラーム ${v.alarm} が ${v.when} に発生。詳細は CloudTrail の配信後に投稿します。`,
        backToOk: (v) => `:white_check_mark: ${v.title}: アラーム ${v.alarm} が OK に戻りました（${v.when}）。`,
    },
    notice: {
        idList: (named, more) => `${named} ほか ${more} 件`,
        plainEvents: (v) =>
            `${v.title}: 一致した ${v.events}のイベントは Slack で表示できませんでした。CloudTrail で eventID から確認してください: ${v.ids}`,
        gapWarning: (v) =>
            `:warning: ${v.title}: ${v.from} から ${v.to} までのイベントは照会されていません。` +
            "ルールの照会が遡及期間より長く止まっていました。この期間は証跡のロググループか CloudTrail で検索してください。",
        undelivered: (v) =>
            `ルール ${v.ruleId}（${v.title}）の ${v.events}のイベントを、Slack が Block Kit でもプレーンテキストでも拒否しました: ${v.reason}\n` +
            `失敗として記録済みで、再試行はしません。CloudTrail で eventID から確認してください: ${v.ids}`,
        gap: (v) =>
            `ルール ${v.ruleId}（${v.title}）の ${v.from} から ${v.to} までのイベントは照会されていません。` +
            "ルールの照会が遡及期間（デッドレターキューが通知を保持する期間）より長く止まっていました。" +
            "この期間は証跡のロググループか CloudTrail で検索してください。照会は遡及期間の上限から再開します。",
        refusedNote: (v) =>
            `ルール ${v.ruleId} の次の通知を、Slack が Block Kit でもプレーンテキストでも拒否しました: ${v.reason}\n${v.text}`,
    },
    subjects: SUBJECTS,
    heartbeat: {
        stoppedTitle: "CloudTrail の配信停止",
        stopped: (v) =>
            `${v.mention}ロググループ ${v.logGroup} に CloudTrail のイベントが ${v.quiet}届いていません。配信が再開するまで、サインインを検知できません。` +
            "証跡のログ記録が有効か、証跡のロールがロググループに書き込めるかを確認してください。",
        resumed: (v) => `:white_check_mark: ロググループ ${v.logGroup} への CloudTrail の配信が再開しました（${v.when}）。`,
        notice: (v) =>
            v.stopped
                ? `ロググループ ${v.logGroup} に CloudTrail のイベントが ${v.quiet}届いていません（アラーム ${v.alarm}、${v.when}）。` +
                  "配信が再開するまで、サインインを検知できません。証跡のログ記録が有効か、証跡のロールがロググループに書き込めるかを確認してください。"
                : `ロググループ ${v.logGroup} への CloudTrail の配信が再開しました（アラーム ${v.alarm}、${v.when}）。`,
    },
    trailStatus: {
        title: "CloudTrail 証跡の配信停止",
        stopped: "CloudTrail がログ記録を停止しています",
        logsError: (error) => `CloudTrail が CloudWatch Logs に配信できません: ${error}`,
        s3Error: (error) => `CloudTrail が S3 バケットに配信できません: ${error}`,
        stale: (since) => `CloudTrail から CloudWatch Logs への配信が ${since} 以降ありません`,
        unreadable: (error) => `関数が証跡の状態を読めません: ${error}`,
        problem: (v) =>
            `${v.mention}証跡 ${v.trail}: ${v.problem}。この間、ロググループに何が届いてもサインインは検知されません。` +
            "証跡（StartLogging）とロールを確認し、誰が変更したかをこのアカウントの CloudTrail で確認してください。",
        healthy: (v) => `:white_check_mark: 証跡 ${v.trail} のログ記録と配信が再開しました。`,
        notice: (v) =>
            v.problem === undefined
                ? `証跡 ${v.trail} のログ記録と配信が再開しました。`
                : `証跡 ${v.trail}: ${v.problem}。この間、ロググループに何が届いてもサインインは検知されません。` +
                  "証跡（StartLogging）とロールを確認し、誰が変更したかをこのアカウントの CloudTrail で確認してください。",
    },
    stackSetDrift: {
        title: "メンバーアカウントの転送設定が CloudFormation 外で変更されました",
        instances: (n) => `${n} 個のスタックインスタンス`,
        drifted: (v) =>
            `${v.mention}StackSet ${v.stackSet}: ドリフト検出で ${v.instances}が CloudFormation の外で変更されていました。` +
            "これらのアカウントの転送ルールまたはロールがテンプレートと一致しないため、サインインが数秒以内に Slack に届かない可能性があります" +
            "（組織の証跡からは引き続き届きます）。誰が変更したかを CloudTrail で確認し、StackSet の更新で元に戻すか、理由を確認してください。",
        instanceLine: (account, region) => `${account}（${region}）`,
        labels: { unit: "組織単位", checked: "ドリフト検出日時" },
        howToSee: (v) =>
            `変更内容: aws cloudformation list-stack-instance-resource-drifts --stack-set-name ${v.stackSet} ` +
            `--operation-id ${v.operation} --call-as ${v.callAs} --stack-instance-account <アカウント> --stack-instance-region <リージョン>`,
        inSync: (stackSet) => `StackSet ${stackSet}: すべてのスタックインスタンスが再びテンプレートと一致しています。`,
        failingTitle: "StackSet のドリフトを確認できていません",
        failing: (v) =>
            `${v.mention}StackSet ${v.stackSet}: ${v.since} 以降、ドリフト検出が一度も完了していません（${v.problem}）。` +
            "この間、改ざん検知ルールが対象としないメンバーアカウントの転送設定の変更は検知されません。" +
            "CloudFormation コンソールで StackSet のオペレーションを確認してください。",
        working: (stackSet) => `StackSet ${stackSet}: ドリフト検出が再び完了するようになりました。`,
        problem: {
            running: (operation, since) => `${since} に開始した検出 ${operation} が終わっていません`,
            ended: (operation, status, reason) =>
                `検出 ${operation} が ${status} で終了しました${reason === undefined ? "" : `（${reason}）`}`,
            partial: (operation, failed, total) =>
                `検出 ${operation} で ${total} 個中 ${failed} 個のスタックインスタンスを確認できませんでした`,
            busy: "StackSet の他のオペレーションのため、検出を開始できませんでした",
            error: (error) => `CloudFormation の応答: ${error}`,
        },
    },
    summary: {
        title: (period) => (period === "daily" ? "サインインの日次サマリー" : "サインインの週次サマリー"),
        period: (from, to) => `${from} 〜 ${to}`,
        total: (n) => `合計 ${n} 件`,
        byRule: "ルール別",
        topPrincipals: "件数の多いプリンシパル",
        newNetworks: "新しいネットワーク",
        none: "なし",
        countLine: (name, n) => `${name}: ${n} 件`,
        newNetworkLine: (who, network) => `${who}: ${network}`,
        inAccount: (who, account) => `${account} の ${who}`,
        more: (n) => `…ほか ${n} 件`,
        backstopOnly: (n) => `CloudWatch Logs 経由でのみ投稿（EventBridge から届かず）: ${n} 件`,
        failures: (n) => `Slack が拒否し運用担当に通知: ${n} 件`,
        unnamed: (n) => `名前を記録できなかったプリンシパル（1 時間の集計に入りきらない数）: ${n} 件`,
    },
    question: QUESTION,
};
