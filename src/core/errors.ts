// The one error type every step and handler throws; each protocol renders it in its own envelope.
export interface ServiceErrorOptions {
  senderFault?: boolean;
  /** The model's shape name (JSON protocols send it as __type); defaults to the code. */
  shapeName?: string;
  /** Extra members of the error (modeled or not: the detail elements AWS sends), serialized beside Code and Message. */
  fields?: Record<string, unknown>;
  /** Extra response headers (e.g. S3's x-amz-delete-marker on 404s). */
  headers?: Record<string, string>;
}

export class ServiceError extends Error {
  readonly code: string;
  readonly status: number;
  readonly senderFault: boolean;
  readonly shapeName: string;
  readonly fields?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(code: string, message = "", status = 400, opts: ServiceErrorOptions = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
    this.senderFault = opts.senderFault ?? status < 500;
    this.shapeName = opts.shapeName ?? code;
    this.fields = opts.fields;
    this.headers = opts.headers;
  }
}

export const isServiceError = (e: unknown): e is ServiceError => e instanceof ServiceError;

// Errors common to every service (AWS's "common errors" list), thrown by the gateway steps.
export const CommonErrors = {
  notImplemented: (service: string, operation: string) =>
    new ServiceError("NotImplemented", `The ${operation} operation of ${service} is not implemented in Stratus yet.`, 501, { senderFault: false }),
  internalFailure: () =>
    new ServiceError("InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", 500, { senderFault: false }),
  unknownOperation: (protocol: "query" | "json" | "rest", name?: string) =>
    protocol === "query"
      ? new ServiceError("InvalidAction", `The action ${name ?? "(none)"} is not valid for this web service.`, 400)
      : protocol === "json"
        ? new ServiceError("UnknownOperationException", name ? `Unknown operation ${name}` : "", 400)
        : new ServiceError("UnknownOperationException", "", 404),
  serialization: (message = "") => new ServiceError("SerializationException", message, 400),
  malformedQueryString: (message: string) => new ServiceError("MalformedQueryString", message, 400),
  missingAction: () => new ServiceError("MissingAction", "Missing Action", 400),
  requestTooLarge: (limit: number) => new ServiceError("RequestEntityTooLarge", `Request must be smaller than ${limit} bytes for this operation.`, 413),
};

/** A problem with the installation or the machine that the user can fix (no usable SQLite driver), worded for them:
 *  the CLI prints its message as one line. */
export class SetupError extends Error {}
