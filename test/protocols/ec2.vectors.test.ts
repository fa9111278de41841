// The ec2 variant of the query codec against AWS's protocol compliance vectors.
import { QueryCodec } from "../../src/protocols/query.js";
import { inputVectors, outputVectors } from "./rpc-wire.js";

const codec = new QueryCodec({ ec2: true });

inputVectors("ec2.json", codec, "xml", {
  skip: {
    Ec2EmptyQueryLists: "ec2 sends nothing for an empty list, so a server cannot tell it from an absent one",
  },
  unskip: ["Ec2QueryEndpointTraitWithHostLabel", "Ec2QueryHostWithPath", "Ec2ProtocolIdempotencyTokenAutoFillIsSet", "Ec2Lists", "Ec2TimestampsInput"],
});
outputVectors("ec2.json", codec, "xml");
