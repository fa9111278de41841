// The rest-json protocol (placeholder until its codec lands).
import { ServiceError } from "../core/errors.js";
import type { ProtocolCodec } from "./types.js";

const missing = () => new ServiceError("NotImplemented", "The rest-json protocol is not implemented in Stratus yet.", 501, { senderFault: false });

export class RestJsonCodec implements ProtocolCodec {
  readonly name = "rest-json" as const;
  resolveOperation(): string { throw missing(); }
  parseInput(): Record<string, unknown> { throw missing(); }
  serializeOutput(): never { throw missing(); }
  serializeError(error: ServiceError) {
    return { status: error.status, headers: { "content-type": "application/json" }, body: JSON.stringify({ __type: error.code, message: error.message }) };
  }
}
