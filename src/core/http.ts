// The HTTP-facing contracts every layer shares: a request and response as the gateway holds them, and the
// interface every wire protocol's codec implements (the codecs themselves live in protocols/).
import type { Readable } from "node:stream";
import type { ServiceError } from "./errors.js";
import type { ServiceModel } from "./model.js";

export type ProtocolName = "query" | "ec2" | "json" | "rest-json" | "rest-xml" | "smithy-rpc-v2-cbor";

export interface HttpRequest {
  method: string;
  /** The raw path, without the query string (percent-encoding kept). */
  path: string;
  /** The raw query string, without "?". */
  query: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /**
   * A streaming payload (S3's PutObject/UploadPart Body): the content, decoded, instead of `body`; a Readable, or for a
   * small plain body the whole content as one chunk once it arrived and passed its checks.
   */
  stream?: Readable | AsyncIterable<Buffer>;
  /** The path as the client sent (and signed) it, when a quirk rewrote `path` (S3 virtual-hosted → path style). */
  rawPath?: string;
  /** Scratch space a codec may use to keep what it parsed while resolving the operation. */
  cache?: Record<string, unknown>;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
  /** A streamed payload (S3's GetObject Body), piped to the socket instead of `body`. */
  stream?: Readable;
}

export interface ResponseMeta {
  requestId: string;
  /** The request carried `x-amzn-query-mode: true`: the SDKs of an awsQueryCompatible service ask for its query API's error statuses. */
  queryMode?: boolean;
}

export interface ProtocolCodec {
  readonly name: ProtocolName;
  /** The operation this request calls, or a ServiceError (InvalidAction, UnknownOperation…). */
  resolveOperation(req: HttpRequest, model: ServiceModel): string;
  /** HTTP → the operation's input as typed values (Date for timestamps, Buffer for blobs). */
  parseInput(req: HttpRequest, model: ServiceModel, operation: string): Record<string, unknown>;
  /** The operation's output → HTTP. */
  serializeOutput(output: Record<string, unknown>, model: ServiceModel, operation: string, meta: ResponseMeta): HttpResponse;
  /** An error → HTTP, in this protocol's envelope. `operation` is unknown when routing failed. */
  serializeError(error: ServiceError, model: ServiceModel, operation: string | undefined, meta: ResponseMeta): HttpResponse;
}
