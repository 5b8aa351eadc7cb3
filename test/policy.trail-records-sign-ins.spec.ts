import { strict as assert } from "assert";
import { trailRecordsSignIns } from "../policy/policies/trailRecordsSignIns";
import { UNKNOWN_ON_THE_WIRE, bareSignInTrail, check, messages, replace, withProps } from "./support/policyHarness";

function alertStack(filterPattern = '{ $.eventName = "ConsoleLogin" }') {
    const { logGroup, trail, filter } = bareSignInTrail(filterPattern);
    return { logGroup, trail, filter, all: [logGroup, trail, filter] };
}

function withTrail(changes: Record<string, unknown>) {
    const s = alertStack();
    return replace(s.all, withProps(s.trail, changes));
}

const NOT_LOGGING =
    'Trail "trail" has enableLogging set to false, so it records nothing and the sign-in alarms on its log group never fire; set enableLogging to true, or leave it unset.';
const NO_MANAGEMENT =
    'Trail "trail" sets includeManagementEvents to false in every event selector, so it records no console sign-in (a management event) and the sign-in alarms ' +
    "on its log group never fire; set includeManagementEvents to true in one of them.";
const NO_ADVANCED_MANAGEMENT =
    'Trail "trail" has advanced event selectors, none of which selects eventCategory "Management", so it records no console sign-in and the sign-in alarms on its ' +
    'log group never fire; add an advanced event selector with the field selector { field: "eventCategory", equals: ["Management"] }.';

const READ_ONLY =
    'Trail "trail" records only read-only management events (readWriteType "ReadOnly"), but CloudTrail records a console sign-in as a write event ' +
    '(readOnly false), so the sign-in alarms on its log group never fire; set readWriteType to "All" (or "WriteOnly").';
const ADVANCED_WITHOUT_SIGN_INS =
    'Trail "trail" has advanced event selectors that select management events but filter out console sign-ins (eventSource "signin.amazonaws.com", ' +
    'eventName "ConsoleLogin", readOnly "false"), so the sign-in alarms on its log group never fire; remove the field selectors on readOnly, eventSource ' +
    'or eventName that exclude them, or add a selector with only { field: "eventCategory", equals: ["Management"] }.';

const dataEventsOnly = {
    fieldSelectors: [
        { field: "eventCategory", equals: ["Data"] },
        { field: "resources.type", equals: ["AWS::S3::Object"] },
    ],
};
const managementEvents = { fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] };

describe("policy trail-records-sign-ins", () => {
    it("passes a logging trail with the default selectors", async () => {
        assert.deepEqual(await check(trailRecordsSignIns, alertStack().all), []);
    });

    it("stops a trail feeding sign-in alerts with enableLogging false", async () => {
        const s = alertStack();
        assert.deepEqual(await check(trailRecordsSignIns, withTrail({ enableLogging: false })), [
            { policy: "trail-records-sign-ins", enforcementLevel: "mandatory", urn: s.trail.urn, message: NOT_LOGGING },
        ]);
    });

    it("stops a trail whose event selectors all leave out management events", async () => {
        const selectors = [
            { includeManagementEvents: false, dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3"] }] },
            { includeManagementEvents: false, readWriteType: "All" },
        ];
        assert.deepEqual(await messages(trailRecordsSignIns, withTrail({ eventSelectors: selectors })), [NO_MANAGEMENT]);
    });

    it("passes a trail with one event selector that keeps management events", async () => {
        const selectors = [{ includeManagementEvents: false }, { readWriteType: "All" }];
        assert.deepEqual(await check(trailRecordsSignIns, withTrail({ eventSelectors: selectors })), []);
    });

    it("stops a trail whose advanced event selectors select only data events", async () => {
        assert.deepEqual(await messages(trailRecordsSignIns, withTrail({ advancedEventSelectors: [dataEventsOnly] })), [
            NO_ADVANCED_MANAGEMENT,
        ]);
    });

    it("passes a trail with an advanced event selector for management events", async () => {
        assert.deepEqual(await check(trailRecordsSignIns, withTrail({ advancedEventSelectors: [dataEventsOnly, managementEvents] })), []);
    });

    it("stops a trail whose management selectors are all ReadOnly: CloudTrail records ConsoleLogin with readOnly false", async () => {
        const selectors = [{ readWriteType: "ReadOnly", includeManagementEvents: true }, { includeManagementEvents: false }];
        assert.deepEqual(await check(trailRecordsSignIns, withTrail({ eventSelectors: selectors })), [
            { policy: "trail-records-sign-ins", enforcementLevel: "mandatory", urn: alertStack().trail.urn, message: READ_ONLY },
        ]);
    });

    it("passes a trail with one selector recording write or all management events", async () => {
        for (const second of [{ readWriteType: "All" }, { readWriteType: "WriteOnly" }, { includeManagementEvents: true }]) {
            const selectors = [{ readWriteType: "ReadOnly" }, second];
            assert.deepEqual(await check(trailRecordsSignIns, withTrail({ eventSelectors: selectors })), [], JSON.stringify(second));
        }
    });

    it("stops advanced selectors that narrow management events to read-only ones, or away from signin.amazonaws.com", async () => {
        const narrowed = [
            [
                { field: "eventCategory", equals: ["Management"] },
                { field: "readOnly", equals: ["true"] },
            ],
            [
                { field: "eventCategory", equals: ["Management"] },
                { field: "eventSource", notEquals: ["signin.amazonaws.com"] },
            ],
            [
                { field: "eventCategory", equals: ["Management"] },
                { field: "eventName", startsWith: ["Create"] },
            ],
        ];
        for (const fieldSelectors of narrowed) {
            assert.deepEqual(
                await messages(trailRecordsSignIns, withTrail({ advancedEventSelectors: [dataEventsOnly, { fieldSelectors }] })),
                [ADVANCED_WITHOUT_SIGN_INS],
                JSON.stringify(fieldSelectors),
            );
        }
    });

    it("passes advanced selectors that keep write management events and exclude only other sources", async () => {
        const kept = [
            [
                { field: "eventCategory", equals: ["Management"] },
                { field: "readOnly", equals: ["false"] },
            ],
            [
                { field: "eventCategory", equals: ["Management"] },
                { field: "eventSource", notEquals: ["kms.amazonaws.com", "rdsdata.amazonaws.com"] },
            ],
        ];
        for (const fieldSelectors of kept) {
            assert.deepEqual(
                await check(trailRecordsSignIns, withTrail({ advancedEventSelectors: [{ fieldSelectors }] })),
                [],
                JSON.stringify(fieldSelectors),
            );
        }
    });

    it("leaves alone a trail that feeds no sign-in metric filter", async () => {
        const s = alertStack('{ $.eventName = "CreateUser" }');
        const resources = replace(s.all, withProps(s.trail, { enableLogging: false, advancedEventSelectors: [dataEventsOnly] }));
        assert.deepEqual(await check(trailRecordsSignIns, resources), []);
    });

    it("passes in preview, when the selectors are not known yet", async () => {
        assert.deepEqual(
            await check(
                trailRecordsSignIns,
                withTrail({ eventSelectors: UNKNOWN_ON_THE_WIRE, advancedEventSelectors: UNKNOWN_ON_THE_WIRE }),
            ),
            [],
        );
    });
});
