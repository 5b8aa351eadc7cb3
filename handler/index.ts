export { lambdaHandlerFactory } from "./entry";
