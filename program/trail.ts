/** Where sign-ins are read from: the AuditTrail component this stack creates, or an existing trail's log group. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, keyPolicy, trailBucketPolicy, trailKeyStatements, trailLogsPolicy, type AwsEnv } from "./documents";
import { childName, componentName } from "./names";
import { movedFrom } from "./moved";

/** What the alert rules and the function need from the trail, whether the stack created it or not. */
export interface TrailLogs {
    logGroupName: pulumi.Output<string>;
    logGroupArn: pulumi.Output<string>;
    /** The trail whose status the function reads on every sweep (handler/ingest/trailStatus.ts); absent when only its log group is known. */
    trailArn?: pulumi.Output<string>;
}

export interface AuditTrailArgs {
    /** The trail's name; CloudTrail must accept it (see `trailName`). */
    trailName: string;
    env: AwsEnv;
    organizationTrail: boolean;
    encryptTrailLogs: boolean;
    forceDestroyTrailBucket: boolean;
    trailBucketExpirationDays: number;
    trailLogRetentionDays: number;
}

/** Bring your own trail: its log group, in the stack's account and region, and its ARN when configured. */
export function existingTrail(logGroupName: string, env: AwsEnv, trailArn?: string): TrailLogs {
    return {
        logGroupName: pulumi.output(logGroupName),
        logGroupArn: pulumi.interpolate`arn:${env.partition}:logs:${env.region}:${env.account}:log-group:${logGroupName}`,
        ...(trailArn ? { trailArn: pulumi.output(trailArn) } : {}),
    };
}

/**
 * A multi-region trail with log file validation, its hardened bucket, its CloudWatch Logs log group
 * and the role CloudTrail writes to it with; optionally an organization trail, optionally encrypted
 * with a customer-managed key. Its children were once the LoginAlerts component's own: each carries
 * an alias to its former URN, so a stack deployed before is updated in place.
 */
export class AuditTrail extends pulumi.ComponentResource {
    readonly trail: aws.cloudtrail.Trail;
    readonly bucket: aws.s3.Bucket;
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly logs: TrailLogs;

    constructor(name: string, args: AuditTrailArgs, opts: pulumi.ComponentResourceOptions & { parent: pulumi.Resource }) {
        super("console-login-alerts:index:AuditTrail", componentName(name, "audit-trail"), {}, opts);
        const was = movedFrom(this, opts.parent);
        const { account, region, partition } = args.env;
        const trailArn = pulumi.interpolate`arn:${partition}:cloudtrail:${region}:${account}:trail/${args.trailName}`;
        const key = args.encryptTrailLogs ? this.trailKey(name, args.env, trailArn, was) : undefined;

        this.bucket = new aws.s3.Bucket(childName(name, "trail-bucket"), { forceDestroy: args.forceDestroyTrailBucket }, was);
        const bucketPolicy = this.hardenBucket(name, args, trailArn, key, was);
        this.logGroup = new aws.cloudwatch.LogGroup(
            childName(name, "trail-logs"),
            { retentionInDays: args.trailLogRetentionDays, ...(key ? { kmsKeyId: key.arn } : {}) },
            was,
        );
        const role = new aws.iam.Role(
            childName(name, "trail-logs-role"),
            {
                assumeRolePolicy: pulumi.jsonStringify(
                    assumeRolePolicy("cloudtrail.amazonaws.com", { StringEquals: { "aws:SourceArn": trailArn } }),
                ),
            },
            was,
        );
        const rolePolicy = new aws.iam.RolePolicy(
            childName(name, "trail-logs-policy"),
            { role: role.id, policy: pulumi.jsonStringify(trailLogsPolicy(this.logGroup.arn)) },
            was,
        );
        this.trail = new aws.cloudtrail.Trail(
            childName(name, "trail"),
            {
                name: args.trailName,
                s3BucketName: this.bucket.id,
                isMultiRegionTrail: true,
                includeGlobalServiceEvents: true,
                enableLogFileValidation: true,
                cloudWatchLogsGroupArn: pulumi.interpolate`${this.logGroup.arn}:*`,
                cloudWatchLogsRoleArn: role.arn,
                ...(args.organizationTrail ? { isOrganizationTrail: true } : {}),
                ...(key ? { kmsKeyId: key.arn } : {}),
            },
            // CloudTrail checks bucket access and the role when the trail is created.
            { ...was, dependsOn: [bucketPolicy, rolePolicy] },
        );
        this.logs = { logGroupName: this.logGroup.name, logGroupArn: this.logGroup.arn, trailArn: this.trail.arn };
        this.registerOutputs({ trail: this.trail, bucket: this.bucket, logGroup: this.logGroup });
    }

    /** All four public-access blocks, default encryption, owner-enforced objects, expiry, and a policy for this trail only. */
    private hardenBucket(
        name: string,
        args: AuditTrailArgs,
        trailArn: pulumi.Output<string>,
        key: aws.kms.Key | undefined,
        was: pulumi.CustomResourceOptions,
    ): aws.s3.BucketPolicy {
        const bucket = this.bucket;
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            childName(name, "trail-bucket-public-access"),
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            was,
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            childName(name, "trail-bucket-encryption"),
            {
                bucket: bucket.id,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: key
                            ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }
                            : { sseAlgorithm: "AES256" },
                        bucketKeyEnabled: true,
                    },
                ],
            },
            was,
        );
        new aws.s3.BucketOwnershipControls(
            childName(name, "trail-bucket-ownership"),
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            was,
        );
        new aws.s3.BucketLifecycleConfiguration(
            childName(name, "trail-bucket-lifecycle"),
            {
                bucket: bucket.id,
                rules: [{ id: "expire-trail-logs", status: "Enabled", filter: {}, expiration: { days: args.trailBucketExpirationDays } }],
            },
            was,
        );
        return new aws.s3.BucketPolicy(
            childName(name, "trail-bucket-policy"),
            { bucket: bucket.id, policy: pulumi.jsonStringify(trailBucketPolicy(bucket.arn, trailArn, this.writablePrefixes(args))) },
            // A policy applied before the public-access block could briefly be evaluated without it.
            { ...was, dependsOn: [publicAccess] },
        );
    }

    /** An organization trail also writes every member account's logs under AWSLogs/<organization id>/. */
    private writablePrefixes(args: AuditTrailArgs): pulumi.Output<string> | pulumi.Output<string>[] {
        const own = pulumi.interpolate`${this.bucket.arn}/AWSLogs/${args.env.account}/*`;
        if (!args.organizationTrail) {
            return own;
        }
        const organizationId = aws.organizations.getOrganizationOutput({}, { parent: this }).id;
        return [own, pulumi.interpolate`${this.bucket.arn}/AWSLogs/${organizationId}/*`];
    }

    /** A customer-managed key for the trail's log files and log group. */
    private trailKey(name: string, env: AwsEnv, trailArn: pulumi.Output<string>, was: pulumi.CustomResourceOptions): aws.kms.Key {
        return new aws.kms.Key(
            childName(name, "trail-key"),
            {
                description: "Encrypts the console-login-alerts trail's log files and log group.",
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.jsonStringify(keyPolicy(env, trailKeyStatements(env, trailArn))),
            },
            was,
        );
    }
}
