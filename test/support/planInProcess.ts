/**
 * `npm start` for one stack file, in the test process: tools/plan.ts's runPlan, which the command
 * runs once tools/ is compiled, with the project's Pulumi.yaml and the given stack file in a folder
 * of their own. test/npmStart.spec.ts spawns the command itself.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runPlan } from "../../tools/plan";

export interface Planned {
    /** The exit code `npm start` would end with. */
    status: number;
    stdout: string;
    stderr: string;
}

/** Plans `stack` from a Pulumi.<stack>.yaml holding `stackFile`, with the flags given. */
export async function planStackFile(stack: string, stackFile: string, ...flags: string[]): Promise<Planned> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
    try {
        fs.copyFileSync(path.join(__dirname, "..", "..", "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
        fs.writeFileSync(path.join(root, `Pulumi.${stack}.yaml`), stackFile);
        const out: string[] = [];
        const err: string[] = [];
        const status = await runPlan(
            ["--stack", stack, ...flags],
            { out: (text) => out.push(`${text}\n`), err: (text) => err.push(`${text}\n`) },
            { root },
        );
        return { status, stdout: out.join(""), stderr: err.join("") };
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
}
