// The contract every wire protocol implements, generically from the service model (declared in core/http.ts,
// where the gateway and services share it).
export type { ProtocolName, HttpRequest, HttpResponse, ResponseMeta, ProtocolCodec } from "../core/http.js";
