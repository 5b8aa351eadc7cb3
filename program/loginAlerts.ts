/** The LoginAlerts component: composes the trail, the alert rules, the notifier and the operators' channel. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { FunctionConfig } from "../shared/contract";
import { AlertRules, type RuleResources } from "./alertRules";
import { Answers } from "./answers";
import { keyPolicy, topicKeyStatements, type AwsEnv } from "./documents";
import { childName, heartbeatAlarmName, physicalPrefix, signingSecretParameterName, trailName } from "./names";
import { Notifier, type NotifierArgs } from "./notifier";
import { Operators } from "./operators";
import { DEFAULTS, type LoginAlertsArgs } from "./settings";
import { AuditTrail, existingTrail, type TrailLogs } from "./trail";
import { FastPath } from "./fastPath";
import { fastPathPatterns } from "./fastPathPatterns";
import { OrganizationForwarding } from "./organization/memberForwarding";
import { withStackTags } from "./tags";

export type { LoginAlertsArgs, RuleResources };

/** What the function is told beyond resource names: captured into its code, never its environment. */
export function functionConfig(args: LoginAlertsArgs): FunctionConfig {
    return {
        rules: args.rules.map(({ id, title, pattern, severity }) => ({ id, title, pattern, severity })),
        timeZone: args.timeZone ?? DEFAULTS.timeZone,
        accountLabels: args.accountLabels ?? {},
        mentions: args.mentions ?? {},
        allowList: args.allowList ?? [],
        notifyOnOk: args.notifyOnOk ?? DEFAULTS.notifyOnOk,
        lagAllowanceMinutes: args.lagAllowanceMinutes ?? DEFAULTS.lagAllowanceMinutes,
        language: args.language ?? DEFAULTS.language,
        firstSeen: {
            days: args.firstSeenDays ?? DEFAULTS.firstSeenDays,
            raiseOnNewNetwork: args.newNetworkSeverity ?? DEFAULTS.newNetworkSeverity,
        },
        summary: args.summary ?? DEFAULTS.summary,
        heartbeatQuietMinutes: args.heartbeatMinutes ?? DEFAULTS.heartbeatMinutes,
        ...(args.organization ? { organizationId: args.organization.id } : {}),
        // Field by field: the Slack app's two secrets travel beside these in the args, never into the code.
        ...(args.confirm
            ? {
                  confirm: {
                      rules: args.confirm.rules,
                      severities: args.confirm.severities,
                      minutes: args.confirm.minutes,
                      channel: args.confirm.channel,
                      users: args.confirm.users,
                  },
              }
            : {}),
    };
}

/** The account, region and partition the stack deploys to, as AWS answers for the provider. */
function awsEnvOf(component: pulumi.Resource): AwsEnv {
    const parent = { parent: component };
    return {
        account: aws.getCallerIdentityOutput({}, parent).accountId,
        region: aws.getRegionOutput({}, parent).region,
        partition: aws.getPartitionOutput({}, parent).partition,
    };
}

/**
 * CloudTrail → CloudWatch Logs → one metric filter and alarm per rule → SNS → a Lambda function
 * that looks up who signed in and tells Slack; and an operators' channel for its own failures.
 */

export class LoginAlerts extends pulumi.ComponentResource {
    /** The trail, its bucket and log group; undefined when an existing trail's log group is used. */
    readonly trail?: aws.cloudtrail.Trail;
    readonly trailBucket?: aws.s3.Bucket;
    readonly trailLogGroup?: aws.cloudwatch.LogGroup;
    readonly trailLogGroupName: pulumi.Output<string>;
    readonly operatorTopic: aws.sns.Topic;
    readonly webhookParameter: aws.ssm.Parameter;
    readonly alarmTopic: aws.sns.Topic;
    readonly function: aws.lambda.Function;
    readonly deadLetterQueue: aws.sqs.Queue;
    readonly stateTable: aws.dynamodb.Table;
    readonly rules: Record<string, RuleResources>;
    /** The EventBridge fast path; undefined when it is off, no region is given, or no rule can take it. */
    readonly fastPath?: FastPath;
    /** The member accounts' forwarding, when the stack serves an organization. */
    readonly organization?: OrganizationForwarding;
    /** The endpoint Slack sends "Was this you?" answers to, when the stack asks people. */
    readonly answers?: Answers;
    /** Rule id → why the rule is left to the CloudWatch Logs backstop: its pattern has no EventBridge form. */
    readonly fastPathBackstopOnly: Record<string, string>;
    /** The operators' CloudWatch dashboard, in the console. */
    readonly dashboardUrl: pulumi.Output<string>;

    constructor(name: string, args: LoginAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("console-login-alerts:index:LoginAlerts", name, {}, withStackTags(opts, args.tags));
        const env = awsEnvOf(this);
        // Physical names that must be known before creation (the trail ARN is needed by the
        // bucket policy the trail itself depends on) carry the stack, so stacks never collide.
        const physical = physicalPrefix(name, pulumi.getStack());
        const config = functionConfig(args);
        let trailLogs: TrailLogs;
        if (args.existingTrailLogGroupName) {
            // Bring your own trail: most accounts already pay for one copy of management events.
            trailLogs = existingTrail(args.existingTrailLogGroupName, env, args.existingTrailArn);
        } else {
            const audit = this.auditTrail(name, physical, args, env);
            [this.trail, this.trailBucket, this.trailLogGroup] = [audit.trail, audit.bucket, audit.logGroup];
            trailLogs = audit.logs;
        }
        this.trailLogGroupName = trailLogs.logGroupName;

        // Never alias/aws/sns: CloudWatch cannot use the AWS-managed key, so alarms would be dropped silently.
        const topicKeyArn = args.encryptTopics ? this.topicKey(name, env).arn : undefined;
        // Named in advance: the alarm topic's policy, created before the alarm, must let it publish.
        const heartbeatMinutes = config.heartbeatQuietMinutes;
        const heartbeatAlarm = heartbeatMinutes > 0 ? heartbeatAlarmName(physical) : "";
        const alerts = this.alertRules(name, { physical, env, topicKeyArn, heartbeatAlarm }, args, trailLogs);
        this.alarmTopic = alerts.topic;
        this.rules = alerts.rules;
        // A second channel, because Slack itself may be what is broken. It exists before the
        // function, which publishes to it; its alarms watch the function, so they come after.
        const operators = this.operators(name, physical, env, args, topicKeyArn);
        this.operatorTopic = operators.topic;
        const topicKey = topicKeyArn ? { arn: topicKeyArn, region: env.region } : undefined;
        const notifier = this.notifier(name, { physical, env, heartbeatAlarm }, args, config, trailLogs, alerts, {
            arn: operators.topic.arn,
            topicKey,
        });
        this.webhookParameter = notifier.webhookParameter;
        this.stateTable = notifier.stateTable;
        this.deadLetterQueue = notifier.deadLetterQueue;
        this.function = notifier.function;
        this.answers = this.answersEndpoint(name, physical, args, notifier);
        operators.watch({
            deadLetterQueueName: notifier.deadLetterQueue.name,
            functionName: notifier.function.name,
            functionRoleArn: notifier.function.role,
            ruleMetrics: alerts.metrics,
            trailLogGroupName: trailLogs.logGroupName,
            ...(this.answers ? { answersFunctionName: this.answers.function.name } : {}),
            ...(heartbeatAlarm
                ? { heartbeat: { minutes: heartbeatMinutes, alarmName: heartbeatAlarm, alarmTopicArn: alerts.topic.arn } }
                : {}),
        });
        this.dashboardUrl = operators.dashboardUrl;
        const forwarding = this.fastPathAndOrganization(name, args, { env, physical }, notifier);
        [this.fastPath, this.organization, this.fastPathBackstopOnly] = [
            forwarding.fastPath,
            forwarding.organization,
            forwarding.backstopOnly,
        ];
        this.registerChildren();
    }

    /**
     * The fast path, the organization's member accounts forwarding to its bus, and the rules left to
     * the backstop because their patterns have no EventBridge form.
     */
    private fastPathAndOrganization(
        name: string,
        args: LoginAlertsArgs,
        stack: { env: AwsEnv; physical: string },
        notifier: Notifier,
    ): { fastPath?: FastPath; organization?: OrganizationForwarding; backstopOnly: Record<string, string> } {
        const { env, physical } = stack;
        const regions = args.fastPathRegions ?? DEFAULTS.fastPathRegions;
        const { patterns, routes } = fastPathPatterns(args.rules);
        const backstopOnly = Object.fromEntries(routes.flatMap((r) => ("backstopOnly" in r ? [[r.ruleId, r.backstopOnly]] : [])));
        if (!(args.fastPath ?? DEFAULTS.fastPath) || regions.length === 0 || patterns.length === 0) {
            return { backstopOnly };
        }
        const fastPath = new FastPath(name, { regions, patterns, env, physical, notifier }, { parent: this });
        if (!args.organization) {
            return { fastPath, backstopOnly };
        }
        const memberRegions = args.organization.regions.length > 0 ? args.organization.regions : regions;
        const fn = { arn: notifier.function.arn, roleArn: notifier.function.role };
        const members = { organization: args.organization, regions: memberRegions, patterns, bus: fastPath.bus, fn, env, physical };
        return { fastPath, organization: new OrganizationForwarding(name, members, { parent: this }), backstopOnly };
    }

    private operators(
        name: string,
        physical: string,
        env: AwsEnv,
        args: LoginAlertsArgs,
        topicKeyArn: pulumi.Output<string> | undefined,
    ): Operators {
        return new Operators(
            name,
            {
                physical,
                account: env.account,
                region: env.region,
                topicKeyArn,
                ...(args.operatorEmail ? { operatorEmail: args.operatorEmail } : {}),
            },
            { parent: this },
        );
    }

    /** One metric filter and alarm per rule, and their topic, which the delivery heartbeat notifies too. */
    private alertRules(
        name: string,
        stack: { physical: string; env: AwsEnv; topicKeyArn: pulumi.Output<string> | undefined; heartbeatAlarm: string },
        args: LoginAlertsArgs,
        trailLogs: TrailLogs,
    ): AlertRules {
        const { account, partition, region } = stack.env;
        return new AlertRules(
            name,
            {
                rules: args.rules,
                logGroupName: trailLogs.logGroupName,
                physical: stack.physical,
                account,
                topicKeyArn: stack.topicKeyArn,
                otherAlarmArns: stack.heartbeatAlarm
                    ? [pulumi.interpolate`arn:${partition}:cloudwatch:${region}:${account}:alarm:${stack.heartbeatAlarm}`]
                    : [],
            },
            { parent: this },
        );
    }

    private registerChildren(): void {
        this.registerOutputs({
            trail: this.trail,
            trailBucket: this.trailBucket,
            trailLogGroupName: this.trailLogGroupName,
            webhookParameter: this.webhookParameter,
            alarmTopic: this.alarmTopic,
            operatorTopic: this.operatorTopic,
            function: this.function,
            deadLetterQueue: this.deadLetterQueue,
            stateTable: this.stateTable,
            fastPath: this.fastPath,
            organization: this.organization,
            answers: this.answers,
            dashboardUrl: this.dashboardUrl,
        });
    }

    /**
     * What the notifier needs to ask: the bot token, and the signing secret's parameter, named in
     * advance because the answer endpoint, created after the function it invokes, creates it.
     */
    private notifierConfirm(
        slackBotToken: pulumi.Input<string>,
        stack: { physical: string; env: AwsEnv },
    ): NonNullable<NotifierArgs["confirm"]> {
        const { account, region, partition } = stack.env;
        const name = signingSecretParameterName(stack.physical);
        return {
            slackBotToken,
            // arn:<partition>:ssm:<region>:<account>:parameter<name>, the name's leading / included
            // (Service Authorization Reference, "Resource types defined by AWS Systems Manager": parameter).
            signingSecretParameter: { name, arn: pulumi.interpolate`arn:${partition}:ssm:${region}:${account}:parameter${name}` },
            usersArn: pulumi.interpolate`arn:${partition}:iam::${account}:user/*`,
        };
    }

    /** "Was this you?": the endpoint Slack sends answers to, beside the notifier that asked. */
    private answersEndpoint(name: string, physical: string, args: LoginAlertsArgs, notifier: Notifier): Answers | undefined {
        if (!args.confirm) {
            return undefined;
        }
        return new Answers(
            name,
            {
                slackSigningSecret: args.confirm.slackSigningSecret,
                physical,
                notifierFunction: notifier.function,
                stateTable: notifier.stateTable,
                functionLogRetentionDays: args.functionLogRetentionDays ?? DEFAULTS.functionLogRetentionDays,
            },
            { parent: this },
        );
    }

    private notifier(
        name: string,
        stack: { physical: string; env: AwsEnv; heartbeatAlarm: string },
        args: LoginAlertsArgs,
        config: FunctionConfig,
        trailLogs: TrailLogs,
        alerts: AlertRules,
        operatorTopic: { arn: pulumi.Output<string>; topicKey: { arn: pulumi.Input<string>; region: pulumi.Input<string> } | undefined },
    ): Notifier {
        return new Notifier(
            name,
            {
                slackWebhookUrl: args.slackWebhookUrl,
                config,
                trailLogs,
                alarmTopic: alerts.topic,
                alarmNames: alerts.alarmNames(),
                operatorTopicArn: operatorTopic.arn,
                ...(operatorTopic.topicKey ? { topicKey: operatorTopic.topicKey } : {}),
                physical: stack.physical,
                account: stack.env.account,
                // The management account's id is in the ARN; a delegated administrator's stack may not know it.
                ...(args.organization
                    ? {
                          organizationAccountsArn: pulumi.interpolate`arn:${stack.env.partition}:organizations::*:account/${args.organization.id}/*`,
                      }
                    : {}),
                functionLogRetentionDays: args.functionLogRetentionDays ?? DEFAULTS.functionLogRetentionDays,
                sweepIntervalMinutes: args.sweepIntervalMinutes ?? DEFAULTS.sweepIntervalMinutes,
                heartbeatAlarmName: stack.heartbeatAlarm,
                ...(args.confirm ? { confirm: this.notifierConfirm(args.confirm.slackBotToken, stack) } : {}),
            },
            { parent: this },
        );
    }

    private auditTrail(name: string, physical: string, args: LoginAlertsArgs, env: AwsEnv): AuditTrail {
        return new AuditTrail(
            name,
            {
                trailName: trailName(physical),
                env,
                organizationTrail: args.organizationTrail ?? DEFAULTS.organizationTrail,
                encryptTrailLogs: args.encryptTrailLogs ?? DEFAULTS.encryptTrailLogs,
                forceDestroyTrailBucket: args.forceDestroyTrailBucket ?? DEFAULTS.forceDestroyTrailBucket,
                trailBucketExpirationDays: args.trailBucketExpirationDays ?? DEFAULTS.trailBucketExpirationDays,
                trailLogRetentionDays: args.trailLogRetentionDays ?? DEFAULTS.trailLogRetentionDays,
            },
            { parent: this },
        );
    }

    /** The key both topics use, with a key policy that lets CloudWatch publish through it. */
    private topicKey(name: string, env: AwsEnv): aws.kms.Key {
        return new aws.kms.Key(
            childName(name, "topics-key"),
            {
                description: "Encrypts console-login-alerts SNS topics; CloudWatch alarms may use it.",
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.jsonStringify(keyPolicy(env, topicKeyStatements(env))),
            },
            { parent: this },
        );
    }
}
