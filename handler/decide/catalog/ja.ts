import { RULE_TITLES } from "./ruleTitles";
import type { Catalog, Delay, NewThings, SeenWindow } from "./catalog";
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
};
