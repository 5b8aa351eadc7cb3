/** The part of a CloudTrail record this project reads; everything is optional because records vary. */
export interface CloudTrailRecord {
    eventVersion?: string;
    eventID?: string;
    eventTime?: string;
    eventName?: string;
    eventSource?: string;
    eventType?: string;
    awsRegion?: string;
    sourceIPAddress?: string;
    userAgent?: string;
    errorCode?: string;
    errorMessage?: string;
    recipientAccountId?: string;
    userIdentity?: {
        type?: string;
        principalId?: string;
        arn?: string;
        accountId?: string;
        userName?: string;
        invokedBy?: string;
        sessionContext?: {
            sessionIssuer?: { type?: string; userName?: string; arn?: string };
        };
    };
    responseElements?: Record<string, unknown> | null;
    additionalEventData?: Record<string, unknown> | null;
}

/** A sign-in (or other matched event) reduced to what a person reads in Slack. Values are raw, not escaped. */
export interface SignIn {
    eventId: string;
    who: string;
    /** The IAM user's name, for allow-lists; absent for root, roles and hidden user names. */
    userName?: string;
    /** The assumed role's name, for allow-lists. */
    roleName?: string;
    identityType: string;
    eventName: string;
    result: "Success" | "Failure" | "Unknown";
    mfa: "Yes" | "No" | "n/a";
    sourceIp: string;
    region: string;
    eventTime: Date;
    userAgent: string;
    accountId: string;
    errorMessage?: string;
}

/** The fields of a CloudWatch alarm notification this project reads. */
export interface AlarmNotification {
    alarmName: string;
    newState: "ALARM" | "OK" | "INSUFFICIENT_DATA";
    oldState: string;
    reason: string;
    stateChangeTime: Date;
    region: string;
    accountId: string;
    periodSeconds: number;
    evaluationPeriods: number;
}

/** A half-open time range in epoch milliseconds. */
export interface TimeWindow {
    startMs: number;
    endMs: number;
}
