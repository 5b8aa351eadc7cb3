// `npm test`: every spec, in mocha's parallel mode, one worker per core (at least two: much of a
// spec's time is spent waiting on a child process or a paced Slack). Workers take the files in
// this order, the slowest first, so that none is left alone with a long one at the end; the rest
// follow by name. Specs running side by side share no port (the stand-ins listen on port 0), no
// file (temporary folders of their own) and no state (each worker is a process of its own).
const fs = require("fs");
const os = require("os");
const path = require("path");
const base = require("../.mocharc.json");

// The slowest, as measured on a 2-core machine on 2026-12-07 (10 to 30 s each).
const SLOWEST_FIRST = [
    "workflows.cleanClone.spec.ts",
    "faults.spec.ts",
    "summary.spec.ts",
    "deployment.spec.ts",
    "simulationFirstSeen.spec.ts",
    "deployedHandler.spec.ts",
    "tamperEvident.spec.ts",
    "simulationFastPath.spec.ts",
    "baseline.spec.ts",
    "fuzz.spec.ts",
    "observability.spec.ts",
    "flood.spec.ts",
    "npmStart.spec.ts",
    "knowThePerson.spec.ts",
    "limits.spec.ts",
    "infrastructure.spec.ts",
    "webhookLeak.spec.ts",
    "iam.spec.ts",
];

const specs = fs.readdirSync(__dirname).filter((f) => f.endsWith(".spec.ts"));
const ordered = [...SLOWEST_FIRST.filter((f) => specs.includes(f)), ...specs.filter((f) => !SLOWEST_FIRST.includes(f)).sort()];

module.exports = {
    ...base,
    parallel: true,
    jobs: Math.max(2, os.cpus().length),
    spec: ordered.map((f) => path.join("test", f)),
};
