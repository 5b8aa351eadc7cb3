/**
 * The local AWS stand-in for code that runs in the test process itself (the function's real ports,
 * the real state store): started for the enclosing describe block, and found as the deployed
 * function finds it, through the SDK's AWS_ENDPOINT_URL_<SERVICE> variables, which are put back
 * afterwards.
 */
import { LocalAws } from "../../tools/local/localAws";

export function useLocalAwsInProcess(): { aws: LocalAws } {
    const holder = {} as { aws: LocalAws };
    const saved: Record<string, string | undefined> = {};
    before(async function () {
        holder.aws = await new LocalAws().start();
        for (const [name, value] of Object.entries(holder.aws.env())) {
            saved[name] = process.env[name];
            process.env[name] = value;
        }
    });
    after(async function () {
        for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) {
                delete process.env[name];
            } else {
                process.env[name] = value;
            }
        }
        await holder.aws?.stop();
    });
    return holder;
}
