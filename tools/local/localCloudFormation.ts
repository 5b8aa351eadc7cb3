/**
 * The local stand-in for CloudFormation's StackSet drift calls, reached through
 * AWS_ENDPOINT_URL_CLOUDFORMATION. CloudFormation speaks the AWS Query protocol (API Reference,
 * "Making API requests" and "Common Parameters"): a form-encoded POST naming the Action and the
 * Version 2010-05-15, lists as `Name.member.N`, answered in XML in the 2010-05-15 namespace, errors
 * as an ErrorResponse whose Code the SDK turns into the exception's name. Only what the function
 * calls is implemented, with the shapes and errors of the API Reference's pages:
 *
 * - DetectStackSetDrift: an OperationId, or StackSetNotFoundException (404) or
 *   OperationInProgressException (409) while another operation holds the StackSet;
 * - DescribeStackSetOperation: the StackSetOperation with its StackSetDriftDetectionDetails, or
 *   StackSetNotFoundException or OperationNotFoundException (404);
 * - ListStackInstances: StackInstanceSummary members, filtered by DRIFT_STATUS and paged by
 *   MaxResults and NextToken.
 *
 * A drift detection stays RUNNING until a test ends it (`endOperation`), which counts the instances'
 * drift as CloudFormation would; tests set each instance's drift status and hold the StackSet busy.
 */
import { randomUUID } from "crypto";
import type * as http from "http";
import { HttpStandIn } from "./httpStandIn";

/** A stack instance's drift status (CloudFormation API Reference, "StackInstanceSummary": DriftStatus). */
export type InstanceDriftStatus = "DRIFTED" | "IN_SYNC" | "NOT_CHECKED" | "UNKNOWN";

export interface LocalStackInstance {
    account: string;
    region: string;
    /** The organizational unit the instance was deployed to. */
    unit?: string;
    driftStatus: InstanceDriftStatus;
    lastDriftCheck?: Date;
}

export interface LocalOperation {
    status: "RUNNING" | "QUEUED" | "STOPPING" | "SUCCEEDED" | "FAILED" | "STOPPED";
    statusReason?: string;
    createdAt: Date;
    endedAt?: Date;
    /** StackSetDriftDetectionDetails as the operation reports them. */
    drift: {
        detectionStatus: string;
        driftStatus: string;
        total: number;
        drifted: number;
        inSync: number;
        inProgress: number;
        failed: number;
    };
}

export interface LocalStackSet {
    /** StackSetId: the name and CloudFormation's id for it. */
    id: string;
    instances: LocalStackInstance[];
    operations: Map<string, LocalOperation>;
    /** Another operation holds the StackSet: DetectStackSetDrift answers OperationInProgressException. */
    busy: boolean;
}

/** A scripted CloudFormation error for the next call of an action. */
export interface CloudFormationFault {
    status: number;
    code: string;
    message: string;
}

export interface CloudFormationCall {
    action: string;
    params: Record<string, string>;
    answeredWith: number;
}

const NAMESPACE = "http://cloudformation.amazonaws.com/doc/2010-05-15/";

function escapeXml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** `<Name>value</Name>` for each defined value, escaped. */
function elements(values: Record<string, string | number | undefined>): string {
    return Object.entries(values)
        .filter(([, value]) => value !== undefined)
        .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
        .join("");
}

type Answer = { xml: string } | CloudFormationFault;

const notFound = (name: string): CloudFormationFault => ({
    status: 404,
    code: "StackSetNotFoundException",
    message: `StackSet ${name} not found`,
});

export class LocalCloudFormation extends HttpStandIn {
    readonly stackSets = new Map<string, LocalStackSet>();
    readonly calls: CloudFormationCall[] = [];
    readonly faults = new Map<string, CloudFormationFault[]>();
    pageSize = 100;

    /** A StackSet the calls find, with its instances in sync. */
    addStackSet(name: string, instances: Array<Omit<LocalStackInstance, "driftStatus">>): LocalStackSet {
        const stackSet: LocalStackSet = {
            id: `${name}:${randomUUID()}`,
            instances: instances.map((i) => ({ ...i, driftStatus: "NOT_CHECKED" })),
            operations: new Map(),
            busy: false,
        };
        this.stackSets.set(name, stackSet);
        return stackSet;
    }

    /**
     * Ends a running operation as CloudFormation would: every instance checked now, its drift counted;
     * `failed` instances could not be checked (SUCCEEDED with them is PARTIAL_SUCCESS).
     */
    endOperation(
        name: string,
        operationId: string,
        end: { status: "SUCCEEDED" | "FAILED" | "STOPPED"; reason?: string; failed?: number },
    ): void {
        const stackSet = this.stackSets.get(name);
        const operation = stackSet?.operations.get(operationId);
        if (!stackSet || !operation) {
            throw new Error(`no operation ${operationId} of StackSet ${name}`);
        }
        const now = new Date();
        const failed = end.failed ?? 0;
        const drifted = stackSet.instances.filter((i) => i.driftStatus === "DRIFTED").length;
        stackSet.instances.forEach((i) => (i.lastDriftCheck = now));
        const detectionStatus = { SUCCEEDED: failed > 0 ? "PARTIAL_SUCCESS" : "COMPLETED", FAILED: "FAILED", STOPPED: "STOPPED" }[
            end.status
        ];
        const total = stackSet.instances.length;
        stackSet.operations.set(operationId, {
            ...operation,
            status: end.status,
            ...(end.reason === undefined ? {} : { statusReason: end.reason }),
            endedAt: now,
            drift: {
                detectionStatus,
                driftStatus: drifted > 0 ? "DRIFTED" : "IN_SYNC",
                total,
                drifted,
                inSync: total - drifted - failed,
                inProgress: 0,
                failed,
            },
        });
    }

    /** Forgets the StackSets, the calls and the scripted faults. */
    reset(): void {
        this.stackSets.clear();
        this.calls.length = 0;
        this.faults.clear();
    }

    /** The environment that points the AWS SDK's CloudFormation client at this server. */
    env(): Record<string, string> {
        return { AWS_ENDPOINT_URL_CLOUDFORMATION: this.origin };
    }

    callsOf(action: string): CloudFormationCall[] {
        return this.calls.filter((c) => c.action === action);
    }

    protected handle(_req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): void {
        const params = Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
        const action = params["Action"] ?? "";
        const requestId = randomUUID();
        const answer = this.faults.get(action)?.shift() ?? this.answer(action, params);
        const status = "xml" in answer ? 200 : answer.status;
        this.calls.push({ action, params, answeredWith: status });
        res.writeHead(status, { "content-type": "text/xml" });
        if ("xml" in answer) {
            res.end(
                `<${action}Response xmlns="${NAMESPACE}"><${action}Result>${answer.xml}</${action}Result>` +
                    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
            );
            return;
        }
        res.end(
            `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${escapeXml(answer.code)}</Code>` +
                `<Message>${escapeXml(answer.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
    }

    private answer(action: string, params: Record<string, string>): Answer {
        if (params["Version"] !== "2010-05-15") {
            return { status: 400, code: "InvalidParameterValue", message: `Version ${params["Version"] ?? "(none)"} is not 2010-05-15` };
        }
        const name = params["StackSetName"] ?? "";
        const stackSet = this.stackSets.get(name);
        switch (action) {
            case "DetectStackSetDrift":
                return stackSet ? this.detect(stackSet, params) : notFound(name);
            case "DescribeStackSetOperation":
                return stackSet ? this.describe(stackSet, name, params["OperationId"] ?? "") : notFound(name);
            case "ListStackInstances":
                return stackSet ? this.list(stackSet, params) : notFound(name);
            default:
                return { status: 400, code: "InvalidAction", message: `The local stand-in does not implement ${action}.` };
        }
    }

    /** One operation of a StackSet at a time (API Reference, "DetectStackSetDrift": OperationInProgressException). */
    private detect(stackSet: LocalStackSet, params: Record<string, string>): Answer {
        const running = [...stackSet.operations.values()].some((o) => !["SUCCEEDED", "FAILED", "STOPPED"].includes(o.status));
        if (stackSet.busy || running) {
            return {
                status: 409,
                code: "OperationInProgressException",
                message: `Another Operation on StackSet ${stackSet.id} is in progress`,
            };
        }
        // The SDK fills OperationId with an idempotency token when the caller gives none.
        const operationId = params["OperationId"] ?? randomUUID();
        const total = stackSet.instances.length;
        stackSet.operations.set(operationId, {
            status: "RUNNING",
            createdAt: new Date(),
            drift: {
                detectionStatus: "IN_PROGRESS",
                driftStatus: "NOT_CHECKED",
                total,
                drifted: 0,
                inSync: 0,
                inProgress: total,
                failed: 0,
            },
        });
        return { xml: elements({ OperationId: operationId }) };
    }

    private describe(stackSet: LocalStackSet, name: string, operationId: string): Answer {
        const operation = stackSet.operations.get(operationId);
        if (!operation) {
            return { status: 404, code: "OperationNotFoundException", message: `Operation ${operationId} of StackSet ${name} not found` };
        }
        const d = operation.drift;
        const details = elements({
            DriftStatus: d.driftStatus,
            DriftDetectionStatus: d.detectionStatus,
            LastDriftCheckTimestamp: operation.endedAt?.toISOString(),
            TotalStackInstancesCount: d.total,
            DriftedStackInstancesCount: d.drifted,
            InSyncStackInstancesCount: d.inSync,
            InProgressStackInstancesCount: d.inProgress,
            FailedStackInstancesCount: d.failed,
        });
        const fields = elements({
            OperationId: operationId,
            StackSetId: stackSet.id,
            Action: "DETECT_DRIFT",
            Status: operation.status,
            StatusReason: operation.statusReason,
            CreationTimestamp: operation.createdAt.toISOString(),
            EndTimestamp: operation.endedAt?.toISOString(),
        });
        return {
            xml: `<StackSetOperation>${fields}<StackSetDriftDetectionDetails>${details}</StackSetDriftDetectionDetails></StackSetOperation>`,
        };
    }

    /** Filters (`Filters.member.N.Name` and `.Values`, DRIFT_STATUS only here) and pages as MaxResults and NextToken say. */
    private list(stackSet: LocalStackSet, params: Record<string, string>): Answer {
        let instances = stackSet.instances;
        for (let n = 1; params[`Filters.member.${n}.Name`] !== undefined; n++) {
            const [filter, value] = [params[`Filters.member.${n}.Name`], params[`Filters.member.${n}.Values`]];
            if (filter !== "DRIFT_STATUS") {
                return { status: 400, code: "ValidationError", message: `The local stand-in filters by DRIFT_STATUS only, not ${filter}` };
            }
            instances = instances.filter((i) => i.driftStatus === value);
        }
        const start = Number(params["NextToken"] ?? "0");
        const size = Math.min(Number(params["MaxResults"] ?? this.pageSize), this.pageSize);
        const page = instances.slice(start, start + size);
        const members = page.map((i) => {
            const summary = elements({
                StackSetId: stackSet.id,
                Region: i.region,
                Account: i.account,
                StackId: `arn:aws:cloudformation:${i.region}:${i.account}:stack/StackSet-${stackSet.id.split(":")[0]}/${randomUUID()}`,
                Status: "CURRENT",
                OrganizationalUnitId: i.unit,
                DriftStatus: i.driftStatus,
                LastDriftCheckTimestamp: i.lastDriftCheck?.toISOString(),
            });
            return `<member>${summary}<StackInstanceStatus><DetailedStatus>SUCCEEDED</DetailedStatus></StackInstanceStatus></member>`;
        });
        const next = start + size < instances.length ? elements({ NextToken: String(start + size) }) : "";
        return { xml: `<Summaries>${members.join("")}</Summaries>${next}` };
    }
}
