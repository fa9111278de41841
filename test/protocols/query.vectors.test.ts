// The query codec against AWS's protocol compliance vectors.
import { QueryCodec } from "../../src/protocols/query.js";
import { inputVectors, outputVectors } from "./rpc-wire.js";

const codec = new QueryCodec({ ec2: false });

inputVectors("query.json", codec, "xml", {
  skip: {
    QueryEmptyQueryMaps: "an empty map is not on the wire at all, so a server cannot tell it from an absent one",
  },
  unskip: ["QueryHostWithPath", "QueryProtocolIdempotencyTokenAutoFillIsSet", "QueryFlattenedListArgWithXmlName"],
});
outputVectors("query.json", codec, "xml", { unskip: ["QueryComplexError"] });
