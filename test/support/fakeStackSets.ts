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
