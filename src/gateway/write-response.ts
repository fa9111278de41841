// Model-driven: output or error → HTTP, in the protocol the client spoke.
import { pipeline, type Readable } from "node:stream";
import type { ServiceError } from "../core/errors.js";
import type { HttpResponse } from "../protocols/types.js";
import type { Exchange } from "./exchange.js";

export function serializeOutput(x: Exchange): void {
  x.response = x.codec!.serializeOutput(x.output!, x.model!, x.operation!, { requestId: x.requestId });
}

export function serializeError(x: Exchange, error: ServiceError): HttpResponse {
  if (x.codec && x.model)
    return x.codec.serializeError(error, x.model, x.operation, { requestId: x.requestId, queryMode: x.req.headers["x-amzn-query-mode"] === "true" });
  // No service resolved: answer in the generic JSON error envelope.
  return {
    status: error.status,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": x.requestId, "x-amzn-errortype": error.code },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

export function send(x: Exchange): void {
  const r = x.response!;
  if (r.stream) return sendStream(x, r, r.stream);
  const body = typeof r.body === "string" ? Buffer.from(r.body, "utf8") : r.body;
  // The response object is this request's own: headers are completed in place, not copied.
  const headers = r.headers;
  // A HEAD answers with the length the GET would have (S3's HeadObject sets it from ContentLength).
  if (x.req.method !== "HEAD" || headers["content-length"] === undefined) headers["content-length"] = String(body.length);
  // From the runtime's clock (SDKs correct their clock skew from it), formatted once a second.
  headers["date"] ??= httpDate(x.runtime.clock.now());
  x.res.writeHead(r.status, headers);
  x.res.end(x.req.method === "HEAD" ? undefined : body);
}

/**
 * A streamed payload is piped with backpressure, its Content-Length the output's own (ContentLength) when
 * the handler knew it, else chunked. Headers are already out when the source fails mid-way, so the only
 * honest signal left is to cut the connection: the client sees a short body, never a silent truncation.
 */
function sendStream(x: Exchange, r: HttpResponse, stream: Readable): void {
  r.headers["date"] ??= httpDate(x.runtime.clock.now());
  x.res.writeHead(r.status, r.headers);
  if (x.req.method === "HEAD") {
    stream.destroy();
    x.res.end();
    return;
  }
  pipeline(stream, x.res, (e) => {
    if (!e) return;
    x.runtime.logger.debug(`request ${x.requestId}: response stream ended early: ${e.message}`);
    x.res.destroy();
  });
}

let dateSecond = -1;
let dateText = "";
function httpDate(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== dateSecond) {
    dateSecond = sec;
    dateText = new Date(sec * 1000).toUTCString();
  }
  return dateText;
}
