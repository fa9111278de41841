// The smithy-rpc-v2-cbor codec against AWS's protocol compliance vectors (bodies are base64 in the vectors).
import { CborCodec } from "../../src/protocols/cbor.js";
import { inputVectors, outputVectors } from "./rpc-wire.js";

const codec = new CborCodec();

for (const file of ["smithy-rpc-v2-cbor.json", "smithy-rpc-v2-cbor-query-compatible.json", "smithy-rpc-v2-cbor-non-query-compatible.json"]) {
  inputVectors(file, codec, "cbor");
  outputVectors(file, codec, "cbor", { unskip: ["RpcV2CborDeserializesDenseSetMapAndSkipsNull", "RpcV2CborExtraFieldsInTheBodyShouldBeSkippedByClients"] });
}
