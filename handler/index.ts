import { createAwsPorts } from "./awsPorts";
import { createHandler, type LoginAlertsHandler } from "./ingest/invocation";
import type { FetchLike } from "./deliver/webhook";
import { readSettings, type FunctionConfig } from "../shared/contract";

/**
 * The factory Lambda runs once per cold start. The program captures only `config`, plain
 * non-secret data; resource names come from the environment and the webhook from SSM at run time.
 */
export function lambdaHandlerFactory(config: FunctionConfig): LoginAlertsHandler {
    const settings = readSettings(process.env, config);
    // node-fetch is packaged beside the handler; requiring it here keeps serialization from following it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fetch = require("node-fetch") as FetchLike;
    const aws = createAwsPorts(settings.stateTableName, settings.operatorTopicArn);
    return createHandler({ settings, aws, fetch });
}
