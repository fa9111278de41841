// compileSelectors' everyManagement: set when the selectors take every management event whatever its facts, so the
// audit tap may skip building them (engine.ts); wherever it is set, the compiled test agrees on management events.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSelectors, type EventFacts } from "../../../src/services/cloudtrail/selectors.js";

const management: EventFacts[] = [true, false].flatMap((readOnly) =>
  ["sts.amazonaws.com", "kms.amazonaws.com"].map((eventSource) => ({
    category: "Management" as const,
    readOnly,
    eventSource,
    eventName: "AnyCall",
    eventType: "AwsApiCall",
    errorCode: readOnly ? undefined : "AccessDenied",
    resources: [],
  })),
);

test("everyManagement: the default, All with management events, or eventCategory = Management alone", () => {
  const cases: [string, ReturnType<typeof compileSelectors>, boolean][] = [
    ["default (no selectors stored)", compileSelectors(undefined, undefined), true],
    ["ReadWriteType All", compileSelectors([{ ReadWriteType: "All", IncludeManagementEvents: true }], undefined), true],
    ["ReadWriteType unset", compileSelectors([{ IncludeManagementEvents: true }], undefined), true],
    ["ReadOnly", compileSelectors([{ ReadWriteType: "ReadOnly", IncludeManagementEvents: true }], undefined), false],
    ["WriteOnly and ReadOnly in two selectors", compileSelectors([{ ReadWriteType: "WriteOnly" }, { ReadWriteType: "ReadOnly" }], undefined), false],
    ["management events excluded", compileSelectors([{ ReadWriteType: "All", IncludeManagementEvents: false }], undefined), false],
    ["a source excluded", compileSelectors([{ ReadWriteType: "All", ExcludeManagementEventSources: ["kms.amazonaws.com"] }], undefined), false],
    ["advanced: category alone", compileSelectors(undefined, [{ FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }] }]), true],
    [
      "advanced: category and readOnly",
      compileSelectors(undefined, [
        {
          FieldSelectors: [
            { Field: "eventCategory", Equals: ["Management"] },
            { Field: "readOnly", Equals: ["true"] },
          ],
        },
      ]),
      false,
    ],
    [
      "advanced: data only",
      compileSelectors(undefined, [
        {
          FieldSelectors: [
            { Field: "eventCategory", Equals: ["Data"] },
            { Field: "resources.type", Equals: ["AWS::S3::Object"] },
          ],
        },
      ]),
      false,
    ],
  ];
  for (const [name, selects, every] of cases) {
    assert.equal(!!selects.everyManagement, every, name);
    // Sound where set (it may be unset where two selectors together take everything: the tap then asks each time).
    if (every) for (const f of management) assert.equal(selects(f), true, `${name}: ${JSON.stringify(f)}`);
  }
});
