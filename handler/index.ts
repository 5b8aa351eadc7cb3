import { createAwsPorts } from "./awsPorts";
import { createHandler, type LoginAlertsHandler } from "./ingest/invocation";
import type { FetchLike } from "./deliver/webhook";
import { readSettings, type FunctionConfig } from "../shared/contract";
import fetch from "node-fetch";

/**
 * Builds the handler once per cold start (handler/lambda.ts calls it as the bundle loads) from
 * `config`, plain non-secret data; resource names come from the environment and the webhook from
 * SSM at run time.
 */
export function lambdaHandlerFactory(config: FunctionConfig): LoginAlertsHandler {
    const settings = readSettings(process.env, config);
    const aws = createAwsPorts(settings.stateTableName, settings.operatorTopicArn);
    return createHandler({ settings, aws, fetch: fetch as unknown as FetchLike });
}
