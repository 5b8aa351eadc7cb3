// `npm run test:quick`: every spec but those that start processes, run the whole program or
// simulate a day, so it finishes in under a minute; `npm test` still runs them all. A new spec
// that spawns a child process, runs the packaged function (tools/local/deployedFunction), starts
// the policy pack (test/support/policyPackProcess), runs the program (test/support/program,
// runProgramOffline) or takes more than a few seconds belongs in this list; CONTRIBUTING.md says
// how long each kind takes.
const base = require("../.mocharc.json");

module.exports = {
    ...base,
    spec: ["test/**/*.spec.ts"],
    ignore: [
        // Child processes: tar, npm pack, a clean clone.
        "test/policy.install.spec.ts",
        "test/policy.slack-webhook-in-secret.spec.ts",
        "test/workflows.cleanClone.spec.ts",
        // The packaged function, run on runtime/'s Node against the local Slack and AWS.
        "test/baseline.spec.ts",
        "test/confirmationDeployed.spec.ts",
        "test/deployedHandler.spec.ts",
        "test/faults.spec.ts",
        "test/flood.spec.ts",
        "test/fuzz.spec.ts",
        "test/iam.spec.ts",
        "test/infrastructure.spec.ts",
        "test/knowThePerson.spec.ts",
        "test/limits.spec.ts",
        "test/organizationHandler.spec.ts",
        "test/organizationDrift.spec.ts",
        "test/observability.spec.ts",
        "test/slackApiRouting.spec.ts",
        "test/slackLimits.spec.ts",
        "test/slackSender.spec.ts",
        "test/tamperEvident.spec.ts",
        "test/webhookLeak.spec.ts",
        // The policy pack's gRPC server.
        "test/policy.e2e.spec.ts",
        "test/policy.exemptions.spec.ts",
        "test/policy.grpc-cases.spec.ts",
        "test/policy.third-party.spec.ts",
        "test/policy.webhook-grpc.spec.ts",
        // The whole program under the mock engine, once or many times (1 to 12 s each).
        "test/allowListSettings.spec.ts",
        "test/config.spec.ts",
        "test/confirm.spec.ts",
        "test/deployment.spec.ts",
        "test/organization.spec.ts",
        "test/policy.config.spec.ts",
        "test/policy.fast-path-covers-trail-regions.spec.ts",
        "test/policy.program.spec.ts",
        "test/projectConfig.spec.ts",
        "test/providerLayout.spec.ts",
        "test/summary.spec.ts",
        "test/tags.spec.ts",
        "test/topicPublishers.spec.ts",
        "test/trailStatus.spec.ts",
        "test/urns.spec.ts",
        "test/watchList.spec.ts",
        // A simulated day of sign-ins through the real handler, in virtual time (3 to 16 s each).
        "test/simulation.spec.ts",
        "test/simulationFastPath.spec.ts",
        "test/simulationFirstSeen.spec.ts",
    ],
};
