// AWS service models (botocore service-2.json, documentation stripped): their types and a lazy loader.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { modelsDir } from "./paths.js";

export type ShapeType = "structure" | "list" | "map" | "string" | "integer" | "long" | "float" | "double" | "boolean" | "timestamp" | "blob" | "union";

export interface MemberRef {
  shape: string;
  location?: "uri" | "querystring" | "header" | "headers" | "statusCode";
  locationName?: string;
  queryName?: string;
  xmlNamespace?: { prefix?: string; uri: string };
  xmlAttribute?: boolean;
  flattened?: boolean;
  payload?: boolean;
  streaming?: boolean;
  idempotencyToken?: boolean;
  jsonvalue?: boolean;
  hostLabel?: boolean;
  timestampFormat?: "iso8601" | "rfc822" | "unixTimestamp";
  deprecated?: boolean;
  eventpayload?: boolean;
  box?: boolean;
}

export interface Shape {
  type: ShapeType;
  members?: Record<string, MemberRef>;
  required?: string[];
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  payload?: string;
  flattened?: boolean;
  locationName?: string;
  xmlNamespace?: { prefix?: string; uri: string };
  timestampFormat?: "iso8601" | "rfc822" | "unixTimestamp";
  exception?: boolean;
  fault?: boolean;
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
  streaming?: boolean;
  eventstream?: boolean;
  event?: boolean;
  document?: boolean;
  union?: boolean;
  sensitive?: boolean;
  requiresLength?: boolean;
  jsonvalue?: boolean;
  deprecated?: boolean;
  box?: boolean;
}

export interface OperationModel {
  name: string;
  http?: { method: string; requestUri: string; responseCode?: number };
  input?: { shape: string; locationName?: string; xmlNamespace?: { uri: string } };
  output?: { shape: string; resultWrapper?: string };
  errors?: { shape: string }[];
  endpoint?: { hostPrefix: string };
  httpChecksumRequired?: boolean;
  deprecated?: boolean;
  authtype?: string;
  auth?: string[];
}

export interface ServiceMetadata {
  apiVersion: string;
  protocol: string;
  protocols?: string[];
  jsonVersion?: string;
  targetPrefix?: string;
  signingName?: string;
  endpointPrefix: string;
  serviceId: string;
  serviceFullName?: string;
  globalEndpoint?: string;
  xmlNamespace?: string;
  awsQueryCompatible?: Record<string, unknown>;
  uid?: string;
  /** "v4" for most services; "s3" / "s3v4" for S3's signing rules (paths as sent, payload hashes, its errors). */
  signatureVersion?: string;
}

export interface ServiceModel {
  metadata: ServiceMetadata;
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
  /** Protocol traits botocore's JSON does not carry, declared in the service's registry entry (S3's). */
  wire?: WireTraits;
}

/**
 * Smithy protocol traits a botocore model lacks, which a codec needs: declared per service in its registry entry,
 * so a codec never branches on a service's name.
 */
export interface WireTraits {
  /**
   * Smithy's `@restXml(noErrorWrapping: true)`: an error is a bare <Error> holding its code, message and the
   * request ids, with no <ErrorResponse> wrapper and no <Type> (S3).
   */
  noErrorWrapping?: boolean;
  /** The XML namespace every document the service returns declares, where the model names it only on some (S3). */
  xmlNamespace?: string;
  /** A request no route takes answers 405 MethodNotAllowed even when no route has its path (S3), not 404. */
  unmatchedIsMethodNotAllowed?: boolean;
  /** Success status codes the model leaves at 200 where the service answers another (S3's PutBucketTagging: 204). */
  responseCodes?: Record<string, number>;
  /**
   * The Smithy namespace a JSON or CBOR error's `__type` carries before a modeled error's shape name, where the service
   * answers with the full shape id (SQS: `com.amazonaws.sqs#QueueDoesNotExist`); botocore's model has no namespace.
   */
  errorNamespace?: string;
  /**
   * The status a JSON or CBOR answer gives a modeled client error unless the request asked for query mode
   * (`x-amzn-query-mode: true`, which the SDKs send): CloudWatch answers its 404 ResourceNotFound with 400 to a plain
   * RPC call (LocalStack's recorded AWS snapshot, test_exception_serializing_with_no_shape_in_spec).
   */
  errorStatusOutsideQueryMode?: number;
  /**
   * The root element of an output document by output shape, where Smithy's model names it (@xmlName) and botocore's
   * does not (S3: ListPartsOutput is written as <ListPartsResult>).
   */
  outputRoots?: Record<string, string>;
}

export { modelsDir };

const cache = new Map<string, ServiceModel>();

/** The committed model of a service folder name (e.g. "iam"), parsed once. */
export function loadModel(name: string): ServiceModel {
  let model = cache.get(name);
  if (!model) {
    model = JSON.parse(readFileSync(join(modelsDir, `${name}.json`), "utf8")) as ServiceModel;
    cache.set(name, model);
  }
  return model;
}

export function shapeOf(model: ServiceModel, name: string): Shape {
  const s = model.shapes[name];
  if (!s) throw new Error(`shape ${name} missing from model ${model.metadata.serviceId}`);
  return s;
}
