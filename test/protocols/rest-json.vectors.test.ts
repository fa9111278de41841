// AWS's rest-json protocol vectors (../shared/protocol-tests) against the rest-json codec, one test per case.
import { test } from "node:test";
import { RestJsonCodec } from "../../src/protocols/rest-json.js";
import { loadVectors, vectorsPresent } from "./vectors.js";
import { checkInput, checkOutput } from "./rest-vectors.js";

const codec = new RestJsonCodec();

// Cases written for clients only: a server cannot honour them as worded.
const SKIP: Record<string, string> = {
  RestJsonQueryParamsStringListMap: "client-only: a server's query map sees every parameter, including those bound to other members",
  RestJsonHttpWithEmptyStructurePayload: "client-only: the client sends {} for an unset payload, which a server reads as an empty structure",
  RestJsonHttpWithHeadersButNoPayload: "client-only: the client sends {} for an unset payload, which a server reads as an empty structure",
};

// botocore skips these for client-side reasons; a server can and does honour them.
const RUN_ANYWAY = new Set([
  "DocumentTypeAsPayloadInput",
  "DocumentTypeAsPayloadInputString",
  "RestJsonHttpChecksumRequired",
  "RestJsonHttpPayloadWithUnsetUnion",
  "RestJsonQueryIdempotencyTokenAutoFillIsSet",
  "RestJsonFooErrorUsingXAmznErrorType",
  "RestJsonFooErrorUsingXAmznErrorTypeWithUri",
  "RestJsonFooErrorUsingXAmznErrorTypeWithUriAndNamespace",
  "RestJsonHttpPayloadTraitsWithNoBlobBody",
  "RestJsonInputAndOutputWithQuotedStringHeaders",
  "RestJsonInputAndOutputWithTimestampHeaders",
  "RestJsonDeserializesDenseSetMapAndSkipsNull",
]);

if (!vectorsPresent) test("rest-json vectors", { skip: "../shared/protocol-tests is absent" }, () => {});

for (const v of loadVectors("input", "rest-json.json")) {
  const skip = (RUN_ANYWAY.has(v.case.id) ? undefined : v.skip) ?? SKIP[v.case.id];
  test(`input ${v.case.id}`, { skip }, () => checkInput(codec, v));
}

for (const v of loadVectors("output", "rest-json.json")) {
  const skip = (RUN_ANYWAY.has(v.case.id) ? undefined : v.skip) ?? SKIP[v.case.id];
  test(`output ${v.case.id}`, { skip }, () => checkOutput(codec, v, "json"));
}
