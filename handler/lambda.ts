/**
 * The function's entry point, as Lambda loads it (`__index.handler`): program/functionPackage.ts
 * bundles this module into `__index.js` and writes the stack's configuration beside it, as data.
 */
import * as fs from "fs";
import * as path from "path";
import { lambdaHandlerFactory } from "./index";
import { FUNCTION_CONFIG_FILE, type FunctionConfig } from "../shared/contract";

const config = JSON.parse(fs.readFileSync(path.join(__dirname, FUNCTION_CONFIG_FILE), "utf8")) as FunctionConfig;

export const handler = lambdaHandlerFactory(config);
