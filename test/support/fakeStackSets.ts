/**
 * CloudFormation's StackSet drift calls in memory, for the in-process tests of the drift check:
 * DetectStackSetDrift starts an operation (RUNNING until a test ends it), DescribeStackSetOperation
 * reads it, ListStackInstances pages through the drifted instances, and the errors are the ones
 * the API Reference names (StackSetNotFoundException, OperationInProgressException,
 * OperationNotFoundException). tools/local/localCloudFormation.ts is the same over HTTP.
 */
import type { DriftedInstance, DriftedInstancePage, StackSetOperationState, StackSetRef } from "../../handler/common/types";

export interface FakeStackSet {
    operations: Map<string, StackSetOperationState>;
    drifted: DriftedInstance[];
    /** Another operation holds the StackSet: DetectStackSetDrift answers OperationInProgressException. */
    busy: boolean;
}

function namedError(name: string, message: string): Error {
    const err = new Error(message);
    err.name = name;
    return err;
}

export class FakeStackSets {
    readonly stackSets = new Map<string, FakeStackSet>();
    /** Every call, in order: its action, the StackSet, CallAs and the operation it named. */
    readonly calls: Array<{ action: string; stackSet: string; callAs: string; operationId?: string }> = [];
    pageSize = 100;
    private started = 0;

    /** A StackSet the calls find, with no operation and no drift. */
    add(name: string): FakeStackSet {
        const stackSet: FakeStackSet = { operations: new Map(), drifted: [], busy: false };
        this.stackSets.set(name, stackSet);
        return stackSet;
    }

    /** Ends an operation as CloudFormation would, with its status and drift counts. */
    end(name: string, operationId: string, state: StackSetOperationState): void {
        this.find(name).operations.set(operationId, state);
    }

    private find(name: string): FakeStackSet {
        const stackSet = this.stackSets.get(name);
        if (!stackSet) {
            throw namedError("StackSetNotFoundException", `StackSet ${name} not found`);
        }
        return stackSet;
    }

    async detectStackSetDrift(ref: StackSetRef): Promise<string> {
        this.calls.push({ action: "DetectStackSetDrift", stackSet: ref.name, callAs: ref.callAs });
        const stackSet = this.find(ref.name);
        if (stackSet.busy) {
            throw namedError("OperationInProgressException", `Another Operation on StackSet ${ref.name} is in progress`);
        }
        const operationId = `drift-operation-${++this.started}`;
        stackSet.operations.set(operationId, { status: "RUNNING" });
        return operationId;
    }

    async describeStackSetOperation(ref: StackSetRef, operationId: string): Promise<StackSetOperationState> {
        this.calls.push({ action: "DescribeStackSetOperation", stackSet: ref.name, callAs: ref.callAs, operationId });
        const operation = this.find(ref.name).operations.get(operationId);
        if (!operation) {
            throw namedError("OperationNotFoundException", `Operation ${operationId} not found`);
        }
        return operation;
    }

    async listDriftedStackInstances(ref: StackSetRef, nextToken: string | undefined): Promise<DriftedInstancePage> {
        this.calls.push({ action: "ListStackInstances", stackSet: ref.name, callAs: ref.callAs });
        const start = nextToken === undefined ? 0 : Number(nextToken);
        const drifted = this.find(ref.name).drifted;
        const instances = drifted.slice(start, start + this.pageSize);
        const next = start + this.pageSize;
        return next < drifted.length ? { instances, nextToken: String(next) } : { instances };
    }
}

/**
 * The drift message the function posts for drifted instances of `stackSet` found by `operationId`,
 * each `[line, unit]`, checked at 2026-12-07 09:20 UTC: what Slack receives, and what the operators'
 * topic is told, exactly. The in-process and the deployed drift specs both expect it.
 */
export function expectedDriftMessage(stackSet: string, operationId: string, instances: ReadonlyArray<[line: string, unit: string]>) {
    const body =
        `StackSet ${stackSet}: drift detection found ${instances.length} stack instance${instances.length === 1 ? "" : "s"} changed outside CloudFormation. ` +
        "A forwarding rule or role of these accounts no longer matches the template, so their sign-ins may not reach Slack within seconds; " +
        "the organization trail still brings them. Find who changed it in CloudTrail, then restore it (update the StackSet) or explain it.";
    const command =
        `What changed: aws cloudformation list-stack-instance-resource-drifts --stack-set-name ${stackSet} --operation-id ${operationId} ` +
        "--call-as SELF --stack-instance-account <account> --stack-instance-region <region>";
    const lines = instances.map(([line]) => line).join("\n");
    const slack = {
        text: `${body}\n${lines}`,
        blocks: [
            {
                type: "header",
                text: {
                    type: "plain_text",
                    text: ":rotating_light: Member accounts' forwarding changed outside CloudFormation",
                    emoji: true,
                },
            },
            { type: "section", text: { type: "mrkdwn", text: body, verbatim: true } },
            ...instances.map(([line, unit]) => ({
                type: "section",
                text: { type: "mrkdwn", text: `*${line}*`, verbatim: true },
                fields: [
                    { type: "mrkdwn", text: `*Organizational unit*\n${unit}`, verbatim: true },
                    { type: "mrkdwn", text: "*Drift checked*\n2026-12-07 09:20:00 UTC", verbatim: true },
                ],
            })),
            { type: "context", elements: [{ type: "mrkdwn", text: command, verbatim: true }] },
        ],
    };
    return {
        slack,
        operators: { subject: `console-login-alerts: StackSet ${stackSet} drifted`, message: `${body}\n${lines}\n${command}` },
    };
}
