/**
 * The Answers component ("Was this you?"): the endpoint Slack sends a person's button click to. A
 * Lambda function URL, so no API Gateway; the function checks Slack's signature, records the request
 * so a replay is refused, and hands the answer to the notifier's function asynchronously, which
 * decides everything else.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ANSWERS_VARIABLES } from "../shared/confirm";
import { answersPolicy } from "./documents";
import { answersArchive } from "./functionPackage";
import { ownFunction } from "./ownFunction";
import { childName, componentName, signingSecretParameterName } from "./names";

/**
 * Slack wants an answer to an interaction within 3 seconds (api.slack.com/interactivity/handling,
 * "Acknowledgment response"); the rest is headroom for a cold start, whose SSM and DynamoDB clients
 * and first reads may take longer once in a while.
 */
const ANSWERS_TIMEOUT_SECONDS = 10;

export interface AnswersArgs {
    /** The Slack app's signing secret: stored in an SSM SecureString, read by the endpoint at run time. */
    slackSigningSecret: pulumi.Input<string>;
    /** Physical prefix of names that must be known before creation. */
    physical: string;
    /** The notifier's function, which the endpoint invokes with each answer. */
    notifierFunction: aws.lambda.Function;
    /** The state table, where the endpoint records the requests it took. */
    stateTable: aws.dynamodb.Table;
    functionLogRetentionDays: number;
}

/**
 * The signing secret's parameter, the endpoint's function with its own role, policy and log group,
 * its public URL, and the two resource-policy statements a public URL needs.
 */
export class Answers extends pulumi.ComponentResource {
    readonly signingSecretParameter: aws.ssm.Parameter;
    readonly function: aws.lambda.Function;
    /** The URL to give Slack as the app's Interactivity Request URL. */
    readonly url: aws.lambda.FunctionUrl;

    constructor(name: string, args: AnswersArgs, opts: pulumi.ComponentResourceOptions) {
        super("console-login-alerts:index:Answers", componentName(name, "answers"), {}, opts);
        const parent = { parent: this };
        this.signingSecretParameter = new aws.ssm.Parameter(
            childName(name, "answers-signing-secret"),
            {
                name: signingSecretParameterName(args.physical),
                type: "SecureString",
                value: pulumi.secret(args.slackSigningSecret),
                description: 'Slack app signing secret for console sign-in alerts\' "Was this you?" answers.',
            },
            parent,
        );
        this.function = this.endpointFunction(name, args);
        this.url = this.publicUrl(name);
        this.registerOutputs({ signingSecretParameter: this.signingSecretParameter, function: this.function, url: this.url });
    }

    private endpointFunction(name: string, args: AnswersArgs): aws.lambda.Function {
        return ownFunction(
            {
                names: {
                    logs: childName(name, "answers-logs"),
                    role: childName(name, "answers-role"),
                    policy: childName(name, "answers-policy"),
                    function: childName(name, "answers-function"),
                },
                logRetentionDays: args.functionLogRetentionDays,
                policy: (logGroupArn) =>
                    answersPolicy({
                        signingSecretParameterArn: this.signingSecretParameter.arn,
                        stateTableArn: args.stateTable.arn,
                        notifierFunctionArn: args.notifierFunction.arn,
                        logGroupArn,
                    }),
                description: 'Takes Slack\'s "Was this you?" answers and hands them to the console sign-in alerts function.',
                code: answersArchive(),
                timeoutSeconds: ANSWERS_TIMEOUT_SECONDS,
                // Deployed names only: the signing secret stays in its parameter (shared/confirm.ts names the variables).
                environment: {
                    [ANSWERS_VARIABLES.signingSecretParameterName]: this.signingSecretParameter.name,
                    [ANSWERS_VARIABLES.notifierFunctionArn]: args.notifierFunction.arn,
                    [ANSWERS_VARIABLES.stateTableName]: args.stateTable.name,
                },
            },
            { parent: this },
        );
    }

    /**
     * A URL anyone on the internet can reach: Slack calls it from no fixed address and signs no AWS
     * request, so the function's check of Slack's signature (X-Slack-Signature, an HMAC of the body
     * with the signing secret) is what keeps everyone else out. Since October 2025 a new function URL
     * needs both lambda:InvokeFunctionUrl and lambda:InvokeFunction in the function's resource policy
     * (Lambda Developer Guide, "Control access to Lambda function URLs"); the second is granted only
     * for calls through the URL (lambda:InvokedViaFunctionUrl), so nobody can invoke it directly.
     */
    private publicUrl(name: string): aws.lambda.FunctionUrl {
        const parent = { parent: this };
        const viaUrl = new aws.lambda.Permission(
            childName(name, "answers-invoke-url"),
            { action: "lambda:InvokeFunctionUrl", function: this.function.name, principal: "*", functionUrlAuthType: "NONE" },
            parent,
        );
        const invoke = new aws.lambda.Permission(
            childName(name, "answers-invoke-function"),
            { action: "lambda:InvokeFunction", function: this.function.name, principal: "*", invokedViaFunctionUrl: true },
            parent,
        );
        return new aws.lambda.FunctionUrl(
            childName(name, "answers-url"),
            { functionName: this.function.name, authorizationType: "NONE" },
            { ...parent, dependsOn: [viaUrl, invoke] },
        );
    }
}
