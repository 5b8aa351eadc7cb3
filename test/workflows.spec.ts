import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { PULUMI_CLI_VERSION } from "../tools/projectConfig";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    "working-directory"?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
}

interface Job {
    name?: string;
    needs?: string | string[];
    if?: string;
    environment?: unknown;
    permissions?: Record<string, string>;
    concurrency?: { group?: string; "cancel-in-progress"?: boolean };
    strategy?: {
        "fail-fast"?: boolean;
        "max-parallel"?: number;
        matrix?: { stack?: string[]; node?: number[]; include?: Array<Record<string, string>> };
    };
    steps: Step[];
}

interface Workflow {
    name: string;
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    concurrency?: unknown;
    jobs: Record<string, Job>;
}

/** Every workflow; the checks below that are not about one workflow run over all of them. */
const WORKFLOW_FILES = ["preview.yml", "deploy.yml", "drift.yml"];

function load(file: string): { text: string; workflow: Workflow } {
    const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
    return { text, workflow: yaml.load(text) as Workflow };
}

function job(workflow: Workflow, id: string): Job {
    const found = workflow.jobs[id];
    assert.ok(found, `no job ${id}; have ${Object.keys(workflow.jobs).join(", ")}`);
    return found;
}

/** A step as one comparable line: which action it uses (its pin is checked on its own), or what it runs, and where. */
function stepLine(step: Step): string {
    if (step.uses) {
        return `uses ${step.uses.split("@")[0]}`;
    }
    return `run ${step.run ?? "?"}${step["working-directory"] ? ` (in ${step["working-directory"]})` : ""}`;
}

function stepUsing(j: Job, action: string): Step {
    const found = j.steps.find((s) => s.uses?.startsWith(`${action}@`));
    assert.ok(found, `no step uses ${action}`);
    return found;
}

/** Every string in the document with its path, e.g. `jobs.preview.steps[6].with.stack-name`. */
function strings(value: unknown, at = ""): Array<[string, string]> {
    if (typeof value === "string") {
        return [[at, value]];
    }
    if (Array.isArray(value)) {
        return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
    }
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
    }
    return [];
}

function keys(value: unknown): string[] {
    if (Array.isArray(value)) {
        return value.flatMap(keys);
    }
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => [k, ...keys(v)]);
    }
    return [];
}

/** Tests on the oldest supported Node.js and on the function's runtime; deploys on the runtime. */
function assertNodeVersions(offline: Job, cloud: Job): void {
    assert.deepStrictEqual(offline.strategy?.matrix?.node, [20, 22]);
    assert.strictEqual(offline.strategy?.["fail-fast"], false, "a failure on one Node.js version should not hide the other's");
    assert.strictEqual(stepUsing(offline, "actions/setup-node").with?.["node-version"], "${{ matrix.node }}");
    assert.strictEqual(stepUsing(cloud, "actions/setup-node").with?.["node-version"], 22);
}

function matrixStacks(j: Job): string[] {
    const matrix = j.strategy?.matrix;
    return matrix?.stack ?? (matrix?.include ?? []).map((entry) => entry["stack"]!);
}

/** The stack's file, committed beside Pulumi.yaml by a team, or as this project's example in examples/. */
function hasStackFile(stack: string): boolean {
    return [".", "examples"].some((dir) => fs.existsSync(path.join(ROOT, dir, `Pulumi.${stack}.yaml`)));
}

const NODE_SETUP = ["uses actions/checkout", "uses actions/setup-node", "run npm ci"];
// The README's test command, the type check and lint, then the offline plan of both stacks with the policy pack.
const OFFLINE_STEPS = [
    ...NODE_SETUP,
    "run npm run build",
    "run npm run lint",
    "run npm test",
    "run npm start",
    "run npm start -- --stack prod",
];
// Install, build the pack, then AWS credentials and a Pulumi token, both for the job's OIDC token, then Pulumi.
const CLOUD_STEPS = [
    ...NODE_SETUP,
    "run npm --prefix policy run build",
    "uses aws-actions/configure-aws-credentials",
    "uses pulumi/auth-actions",
    "uses pulumi/actions",
];
const FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository";
// An organization token (pulumi/auth-actions README, "Configuration"; Pulumi's "Configuring OpenID Connect for GitHub").
const PULUMI_AUTH = {
    organization: "${{ vars.PULUMI_ORG }}",
    "requested-token-type": "urn:pulumi:token-type:access_token:organization",
};
const ACCESS_KEYS =
    /aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|\b(AKIA|ASIA)[0-9A-Z]{16}\b/i;

for (const file of WORKFLOW_FILES) {
    describe(`${file}: the files its cache names`, function () {
        const { workflow } = load(file);
        it("caches by lock files that exist, so actions/setup-node does not fail on a missing path", function () {
            const paths = Object.values(workflow.jobs).flatMap((j) =>
                String(stepUsing(j, "actions/setup-node").with?.["cache-dependency-path"] ?? "")
                    .split("\n")
                    .filter((p) => p.trim() !== ""),
            );
            assert.deepStrictEqual(
                paths.filter((p) => !fs.existsSync(path.join(ROOT, p.trim()))),
                [],
            );
            assert.ok(paths.length > 0);
        });
    });

    describe(`${file}: secrets and credentials`, function () {
        const { text, workflow } = load(file);

        it("holds no AWS access key, only roles assumed through GitHub's OIDC token", function () {
            assert.doesNotMatch(text, ACCESS_KEYS);
            for (const j of Object.values(workflow.jobs)) {
                for (const step of j.steps.filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))) {
                    assert.deepStrictEqual(Object.keys(step.with ?? {}).sort(), ["aws-region", "role-to-assume"]);
                    assert.strictEqual(j.permissions?.["id-token"], "write", "role-to-assume needs the job's OIDC token");
                }
            }
        });

        it("references no secret: the Pulumi token, like the AWS role, comes from the job's OIDC token", function () {
            assert.doesNotMatch(text, /\bsecrets\s*[.[]/);
            assert.deepStrictEqual(
                strings(workflow).filter(([, value]) => /\bsecrets\s*[.[]/.test(value)),
                [],
            );
            assert.ok(!keys(workflow).includes("secrets"), "no job passes secrets on (secrets: inherit)");
            for (const [id, j] of Object.entries(workflow.jobs)) {
                for (const step of j.steps) {
                    assert.ok(!Object.keys(step.env ?? {}).includes("PULUMI_ACCESS_TOKEN"), `job ${id} sets PULUMI_ACCESS_TOKEN itself`);
                }
            }
        });

        it("gets the Pulumi token from pulumi/auth-actions, an organization token, right before each Pulumi step", function () {
            const pulumiJobs = Object.entries(workflow.jobs).filter(([, j]) => j.steps.some((s) => s.uses?.startsWith("pulumi/actions@")));
            assert.ok(pulumiJobs.length > 0);
            for (const [id, j] of Object.entries(workflow.jobs)) {
                const lines = j.steps.map(stepLine);
                const auth = lines.indexOf("uses pulumi/auth-actions");
                const pulumi = lines.indexOf("uses pulumi/actions");
                if (pulumi < 0) {
                    assert.strictEqual(auth, -1, `job ${id} asks for a Pulumi token it does not use`);
                    assert.strictEqual(j.permissions?.["id-token"], undefined, `job ${id} needs no OIDC token`);
                    continue;
                }
                assert.strictEqual(auth, pulumi - 1, `job ${id}: the token is exported to every later step, so it comes last`);
                assert.deepStrictEqual(stepUsing(j, "pulumi/auth-actions").with, PULUMI_AUTH, `job ${id}`);
                assert.strictEqual(j.permissions?.["id-token"], "write", `job ${id}: the token exchange needs the job's OIDC token`);
            }
        });

        it("reads the repository with a read-only token unless a job asks for more", function () {
            assert.deepStrictEqual(workflow.permissions, { contents: "read" });
            for (const [id, j] of Object.entries(workflow.jobs)) {
                assert.strictEqual(j.permissions?.["contents"], "read", `job ${id}`);
            }
        });

        it("names only stacks that have a stack file, and plans each of them offline if it has an offline job", function () {
            const offline = workflow.jobs["offline"]?.steps.map(stepLine);
            for (const j of Object.values(workflow.jobs).filter((j) => j.strategy)) {
                for (const stack of matrixStacks(j)) {
                    assert.ok(hasStackFile(stack), `Pulumi.${stack}.yaml`);
                    if (offline) {
                        assert.ok(
                            offline.includes(stack === "dev" ? "run npm start" : `run npm start -- --stack ${stack}`),
                            `offline plan of ${stack}`,
                        );
                    }
                }
            }
        });
    });
}

describe("preview.yml", function () {
    const { workflow } = load("preview.yml");
    const offline = job(workflow, "offline");
    const preview = job(workflow, "preview");

    it("runs on pull requests, never pull_request_target, which would hand a fork's code the secrets", function () {
        assert.deepStrictEqual(Object.keys(workflow.on), ["pull_request"]);
    });

    it("runs the tests and the offline plan with the policy pack for every pull request, forks included", function () {
        assert.deepStrictEqual(offline.steps.map(stepLine), OFFLINE_STEPS);
        assert.strictEqual(offline.if, undefined);
        assert.deepStrictEqual(offline.permissions, { contents: "read" });
    });

    it("tests on Node.js 20 and 22, and previews with 22, the function's runtime", function () {
        assertNodeVersions(offline, preview);
    });

    it("previews in the cloud only for branches of this repository, after the offline job passed", function () {
        assert.strictEqual(preview.if, FORK_GUARD);
        assert.strictEqual(preview.needs, "offline");
        for (const [id, j] of Object.entries(workflow.jobs)) {
            const usesSecretsOrOidc = JSON.stringify(j).includes("secrets.") || j.permissions?.["id-token"] === "write";
            if (usesSecretsOrOidc) {
                assert.strictEqual(j.if, FORK_GUARD, `job ${id} needs the fork guard`);
            }
        }
    });

    it("asks for the OIDC token and pull-request comments, nothing else", function () {
        assert.deepStrictEqual(preview.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
    });

    it("previews dev and prod, each with its own read-only role, in order: install, build the pack, credentials, preview", function () {
        assert.deepStrictEqual(matrixStacks(preview), ["dev", "prod"]);
        assert.deepStrictEqual(
            preview.strategy?.matrix?.include?.map((entry) => entry["role"]),
            ["${{ vars.AWS_PREVIEW_ROLE_ARN_DEV }}", "${{ vars.AWS_PREVIEW_ROLE_ARN_PROD }}"],
        );
        assert.strictEqual(preview.strategy?.["fail-fast"], false, "one stack's failed preview should not hide the other's");
        assert.deepStrictEqual(preview.steps.map(stepLine), CLOUD_STEPS);
        assert.strictEqual(stepUsing(preview, "aws-actions/configure-aws-credentials").with?.["role-to-assume"], "${{ matrix.role }}");
    });

    it("runs pulumi preview with the policy pack and comments the result on the pull request", function () {
        const pulumi = stepUsing(preview, "pulumi/actions");
        assert.deepStrictEqual(pulumi.with, {
            "pulumi-version": PULUMI_CLI_VERSION,
            command: "preview",
            "stack-name": "${{ vars.PULUMI_ORG }}/${{ matrix.stack }}",
            policyPacks: "policy",
            "comment-on-pr": true,
        });
        assert.strictEqual(pulumi.env, undefined);
    });
});

describe("deploy.yml", function () {
    const { workflow } = load("deploy.yml");
    const offline = job(workflow, "offline");
    const ups = { dev: job(workflow, "up-dev"), prod: job(workflow, "up-prod") };

    it("deploys on pushes to main only", function () {
        assert.deepStrictEqual(workflow.on, { push: { branches: ["main"] } });
    });

    it("deploys only a commit whose tests and offline plan pass, dev first, and prod only after dev's update succeeded", function () {
        assert.deepStrictEqual(offline.steps.map(stepLine), OFFLINE_STEPS);
        assert.deepStrictEqual(
            Object.keys(workflow.jobs).filter((id) => id.startsWith("up")),
            ["up-dev", "up-prod"],
        );
        assert.deepStrictEqual([ups.dev.needs, ups.prod.needs], ["offline", "up-dev"]);
        for (const [stack, up] of Object.entries(ups)) {
            assert.strictEqual(up.strategy, undefined, `up-${stack} is one job, not a matrix`);
            assert.ok(hasStackFile(stack), `Pulumi.${stack}.yaml`);
        }
    });

    it("tests on Node.js 20 and 22, and deploys with 22, the function's runtime", function () {
        assertNodeVersions(offline, ups.dev);
        assertNodeVersions(offline, ups.prod);
    });

    for (const stack of ["dev", "prod"] as const) {
        describe(`up-${stack}`, function () {
            const up = ups[stack];

            it("runs in the GitHub environment of its stack, so prod can require an approval", function () {
                assert.strictEqual(up.environment, stack);
            });

            it("runs one update of its stack at a time and never cancels one in progress", function () {
                assert.deepStrictEqual(up.concurrency, { group: `pulumi-up-${stack}`, "cancel-in-progress": false });
            });

            it("assumes the role its environment names, with the OIDC token and nothing else", function () {
                assert.deepStrictEqual(up.permissions, { contents: "read", "id-token": "write" });
                assert.deepStrictEqual(up.steps.map(stepLine), CLOUD_STEPS);
                assert.strictEqual(
                    stepUsing(up, "aws-actions/configure-aws-credentials").with?.["role-to-assume"],
                    "${{ vars.AWS_DEPLOY_ROLE_ARN }}",
                );
            });

            it("runs pulumi up with the policy pack, so a mandatory violation stops the update", function () {
                const pulumi = stepUsing(up, "pulumi/actions");
                assert.deepStrictEqual(pulumi.with, {
                    "pulumi-version": PULUMI_CLI_VERSION,
                    command: "up",
                    "stack-name": `\${{ vars.PULUMI_ORG }}/${stack}`,
                    policyPacks: "policy",
                });
                assert.strictEqual(pulumi.env, undefined);
            });
        });
    }
});

describe("drift.yml", function () {
    const { workflow } = load("drift.yml");
    const drift = job(workflow, "drift");

    it("runs every day and on demand, and nothing else starts it", function () {
        assert.deepStrictEqual(Object.keys(workflow.on).sort(), ["schedule", "workflow_dispatch"]);
        const schedule = workflow.on["schedule"] as Array<{ cron: string }>;
        assert.strictEqual(schedule.length, 1);
        // minute hour * * *: once a day.
        assert.match(schedule[0]!.cron, /^\d{1,2} \d{1,2} \* \* \*$/);
    });

    it("runs only for main, whose OIDC subject (ref:refs/heads/main) the drift roles trust, and in no environment, which would change it", function () {
        assert.strictEqual(drift.if, "github.ref == 'refs/heads/main'");
        assert.strictEqual(drift.environment, undefined);
        assert.strictEqual(drift.needs, undefined);
    });

    it("asks for the OIDC token and reads the repository, nothing else", function () {
        assert.deepStrictEqual(workflow.permissions, { contents: "read" });
        assert.deepStrictEqual(drift.permissions, { contents: "read", "id-token": "write" });
    });

    it("checks dev and prod, each with its own read-only drift role, and one stack's drift does not hide the other's", function () {
        assert.deepStrictEqual(matrixStacks(drift), ["dev", "prod"]);
        assert.deepStrictEqual(
            drift.strategy?.matrix?.include?.map((entry) => entry["role"]),
            ["${{ vars.AWS_DRIFT_ROLE_ARN_DEV }}", "${{ vars.AWS_DRIFT_ROLE_ARN_PROD }}"],
        );
        assert.strictEqual(drift.strategy?.["fail-fast"], false);
        assert.deepStrictEqual(drift.steps.map(stepLine), CLOUD_STEPS);
        assert.strictEqual(stepUsing(drift, "aws-actions/configure-aws-credentials").with?.["role-to-assume"], "${{ matrix.role }}");
        assert.strictEqual(stepUsing(drift, "actions/setup-node").with?.["node-version"], 22);
    });

    it("previews with a refresh and the policy pack, and fails on any change", function () {
        const pulumi = stepUsing(drift, "pulumi/actions");
        assert.deepStrictEqual(pulumi.with, {
            "pulumi-version": PULUMI_CLI_VERSION,
            command: "preview",
            refresh: true,
            "expect-no-changes": true,
            "stack-name": "${{ vars.PULUMI_ORG }}/${{ matrix.stack }}",
            policyPacks: "policy",
        });
        assert.strictEqual(pulumi.env, undefined);
    });

    it("shares no concurrency group with the deploy, where a queued check could cancel a pending update", function () {
        assert.strictEqual(workflow.concurrency, undefined);
        assert.strictEqual(drift.concurrency, undefined);
    });
});

describe("every workflow: actions pinned by commit", function () {
    const USES = /^\s*(?:-\s+)?uses:\s*(\S+)\s*(?:#\s*(.*?))?\s*$/;
    const pins = WORKFLOW_FILES.flatMap((file) => {
        const { text, workflow } = load(file);
        const lines = text.split("\n").flatMap((line, i) => {
            const match = USES.exec(line);
            return match ? [{ at: `${file}:${i + 1}`, uses: match[1]!, comment: match[2] ?? "" }] : [];
        });
        // Every `uses:` the YAML holds is on a line of its own, so none escapes the checks below.
        const parsed = Object.values(workflow.jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
        assert.deepStrictEqual(
            lines.map((l) => l.uses),
            parsed,
            file,
        );
        return lines;
    });

    it("names each action by the full commit of a release, with the release in a comment", function () {
        assert.ok(pins.length > 0);
        for (const pin of pins) {
            assert.match(pin.uses, /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+@[0-9a-f]{40}$/, pin.at);
            assert.match(pin.comment, /^v\d+\.\d+\.\d+$/, `${pin.at}: the release the commit is`);
        }
    });

    it("pins each action to one commit and one release everywhere", function () {
        const byAction = new Map<string, Set<string>>();
        for (const pin of pins) {
            const [action] = pin.uses.split("@");
            byAction.set(action!, (byAction.get(action!) ?? new Set()).add(`${pin.uses} # ${pin.comment}`));
        }
        for (const [action, seen] of byAction) {
            assert.strictEqual(seen.size, 1, `${action}: ${[...seen].join(", ")}`);
        }
        assert.deepStrictEqual([...byAction.keys()].sort(), [
            "actions/checkout",
            "actions/setup-node",
            "aws-actions/configure-aws-credentials",
            "pulumi/actions",
            "pulumi/auth-actions",
        ]);
    });
});
