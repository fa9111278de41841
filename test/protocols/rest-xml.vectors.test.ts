// AWS's rest-xml protocol vectors (../shared/protocol-tests) against the rest-xml codec, one test per case.
import { test } from "node:test";
import { RestXmlCodec } from "../../src/protocols/rest-xml.js";
import { loadVectors, vectorsPresent } from "./vectors.js";
import { checkInput, checkOutput } from "./rest-vectors.js";

const codec = new RestXmlCodec();

// Cases written for clients only: a server cannot honour them as worded.
const QUERY_MAP = "client-only: a server's query map sees every parameter, including those bound to other members (rest-json's server cases say so)";
const SKIP: Record<string, string> = {
  AllQueryStringTypes: QUERY_MAP,
  RestXmlQueryStringEscaping: QUERY_MAP,
  RestXmlSupportsNaNFloatQueryValues: QUERY_MAP,
  RestXmlSupportsInfinityFloatQueryValues: QUERY_MAP,
  RestXmlSupportsNegativeInfinityFloatQueryValues: QUERY_MAP,
  RestXmlZeroAndFalseQueryValues: QUERY_MAP,
  RestXmlQueryParamsStringListMap: QUERY_MAP,
};

// botocore skips these for client-side reasons; a server can and does honour them.
const RUN_ANYWAY = new Set([
  "BodyWithXmlName",
  "RestXmlHttpPayloadWithUnion",
  "HttpPayloadWithXmlName",
  "HttpPayloadWithXmlNamespace",
  "HttpPayloadWithXmlNamespaceAndPrefix",
  "QueryIdempotencyTokenAutoFillIsSet",
  "XmlAttributesOnPayload",
  "ComplexError",
  "HttpPayloadTraitsWithNoBlobBody",
  "RestXmlHttpPayloadWithUnsetUnion",
  "InputAndOutputWithTimestampHeaders",
  "XmlLists",
]);

if (!vectorsPresent) test("rest-xml vectors", { skip: "../shared/protocol-tests is absent" }, () => {});

for (const v of loadVectors("input", "rest-xml.json")) {
  const skip = (RUN_ANYWAY.has(v.case.id) ? undefined : v.skip) ?? SKIP[v.case.id];
  test(`input ${v.case.id}`, { skip }, () => checkInput(codec, v));
}

for (const v of loadVectors("output", "rest-xml.json")) {
  const skip = (RUN_ANYWAY.has(v.case.id) ? undefined : v.skip) ?? SKIP[v.case.id];
  test(`output ${v.case.id}`, { skip }, () => checkOutput(codec, v, "xml"));
}
