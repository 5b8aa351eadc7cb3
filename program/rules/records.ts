/**
 * Records for the rules' examples where no recording covers a case: the fields CloudTrail writes
 * for a management API call (CloudTrail User Guide, "CloudTrail record contents for management,
 * data, and network activity events"), with the call and its parameters the example is about.
 */
export function apiCallRecord(
    eventSource: string,
    eventName: string,
    requestParameters: Record<string, unknown>,
    extra: Record<string, unknown> = {},
): Record<string, unknown> {
    return {
        eventVersion: "1.08",
        userIdentity: { type: "IAMUser", accountId: "111122223333", userName: "intruder" },
        eventTime: "2026-12-06T10:00:00Z",
        eventSource,
        eventName,
        awsRegion: "us-east-1",
        sourceIPAddress: "198.51.100.7",
        requestParameters,
        eventID: "3f1c1a4e-0000-4000-8000-000000000001",
        readOnly: false,
        eventType: "AwsApiCall",
        managementEvent: true,
        recipientAccountId: "111122223333",
        ...extra,
    };
}
