// The awsJson codec (1.0, 1.1, query-compatible) against AWS's protocol compliance vectors.
import { JsonCodec } from "../../src/protocols/json.js";
import { inputVectors, outputVectors } from "./rpc-wire.js";

const codec = new JsonCodec();

// Vectors that check only the client's host handling leave out X-Amz-Target; a real client always sends it.
const withTarget = {
  // botocore skips these for client-side reasons; a server can be held to them.
  unskip: ["AwsJson11HostWithPath", "AwsJson10HostWithPath", "AwsJson11StructuresDontSerializeNullValues"],
  prepare(req: { headers: Record<string, string> }, c: { given: { name: string } }, model: { metadata: { targetPrefix?: string } }) {
    req.headers["x-amz-target"] ??= `${model.metadata.targetPrefix}.${c.given.name}`;
  },
};

for (const file of ["json.json", "json_1_0.json", "json_1_0-query-compatible.json"]) {
  inputVectors(file, codec, "json", withTarget);
  outputVectors(file, codec, "json");
}
