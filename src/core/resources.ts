// The contract between CloudFormation's engine (and Cloud Control, and drift detection) and the services that own resource
// types. Each service implements its types in its own folder (`services/<svc>/cloudformation.ts`) through its own
// operations (`ctx.client(...)`), never its tables, and declares them in its registry entry (`resources`), so the
// engine loads a service's providers only when a template uses one of its types.
import type { HandlerContext } from "./context.js";
import type { ServiceError } from "./errors.js";
import { uuid4 } from "./ids.js";

/** One resource operation as a provider sees it: the resolved properties, in the stack's account and region. */
export interface ResourceRequest {
  /** Context for the service calls, as the stack's caller (CloudTrail records them invokedBy CloudFormation). */
  ctx: HandlerContext;
  stackName: string;
  stackId: string;
  logicalId: string;
  /** The type as the template names it (a custom resource's `Custom::<Name>`, which its provider passes on). */
  type?: string;
  /** The properties, intrinsic functions resolved and AWS::NoValue removed. */
  properties: Record<string, unknown>;
  /** An update's or a delete's current physical id (absent on create). */
  physicalId?: string;
  /** An update's previous properties. */
  previous?: Record<string, unknown>;
  /**
   * A name for a resource the template does not name: `<stack>-<logicalId>-<RANDOM>` as CloudFormation makes
   * them, shortened to `maxLength` (stack and logical id cut first, the random suffix kept).
   */
  generateName(maxLength: number, opts?: { suffix?: string; lowercase?: boolean }): string;
  /**
   * Aborted when the operation is cancelled (a stack's TimeoutInMinutes passed): a provider that waits (a wait
   * condition, a custom resource's response) stops waiting and fails; one that does not look finishes as usual.
   */
  signal?: AbortSignal;
}

/** What a provider reports back: the physical id, what Ref returns (default: the physical id), GetAtt's values. */
export interface ResourceResult {
  physicalId: string;
  ref?: string;
  attributes?: Record<string, unknown>;
  /** The attributes are secret: Fn::GetAtt of them shows as `*****` in the stack's outputs (a custom resource's NoEcho). */
  noEcho?: boolean;
  /** What Fn::GetAtt of an attribute the resource lacks fails with (`{attr}` is its name); default: the template error. */
  attributeError?: string;
}

/** A read of one resource, by its physical id, in the caller's account and region. */
export interface ReadRequest {
  ctx: HandlerContext;
  physicalId: string;
}

export interface ResourceProvider {
  create(req: ResourceRequest): Promise<ResourceResult>;
  /**
   * The resource's current properties as the registry schema names them (read-only ones included, write-only ones
   * — which the service does not return — left out), read through the service's own operations; undefined when it
   * no longer exists. Cloud Control's GetResource and CloudFormation's drift detection use it; absent: neither can.
   */
  read?(req: ReadRequest): Promise<Record<string, unknown> | undefined>;
  /**
   * Properties `read` does not report: the registry schema's writeOnlyProperties (the service never returns them),
   * and any the provider's read does not cover yet. Drift detection leaves them unchecked rather than calling them
   * removed.
   */
  notRead?: string[];
  /** The physical ids of every resource of the type in the context's account and region (Cloud Control's ListResources). */
  list?(ctx: HandlerContext): Promise<string[]>;
  /** An in-place update (properties that do not require replacement changed). Absent: every change replaces. */
  update?(req: ResourceRequest & { physicalId: string; previous: Record<string, unknown> }): Promise<ResourceResult>;
  /**
   * Every change is an update, which decides itself whether it replaced the resource (a custom resource: by the
   * physical id its response gives); the specification's replacement properties are not consulted.
   */
  replacesItself?: boolean;
  /** Deletes the resource; one already gone is not an error (CloudFormation's delete is idempotent). */
  delete(req: ResourceRequest & { physicalId: string }): Promise<void>;
}

/** A service's providers, by CloudFormation type name (AWS::SQS::Queue). */
export type ResourceProviders = Record<string, ResourceProvider>;

/** A registry entry's resource types: their names (known without loading) and the module that implements them. */
export interface ResourceTypesDeclaration {
  types: string[];
  load(): Promise<{ default: ResourceProviders }>;
}

/**
 * A provider's failure whose message is the resource's status reason as CloudFormation words it (a custom
 * resource's "Received response status [FAILED] …", a wait condition's timeout, "Embedded stack … was not
 * successfully created: …"), not a service error to wrap.
 */
export class ResourceFailure extends Error {
  /** A physical id the failed create still reports (a custom resource's FAILED response): a rollback deletes it. */
  constructor(
    message: string,
    readonly physicalId?: string,
  ) {
    super(message);
  }
}

/** The resource handlers' error codes (CloudFormation's stack events and Cloud Control's progress events). */
export type HandlerErrorCode = "AlreadyExists" | "NotFound" | "Throttling" | "ServiceLimitExceeded" | "InvalidRequest" | "GeneralServiceException";

/** A service error's HandlerErrorCode, as a resource handler reports it. */
export function handlerErrorCode(e: ServiceError): HandlerErrorCode {
  if (/AlreadyExists|ResourceExists/i.test(e.code)) return "AlreadyExists";
  if (/NotFound|NonExistent|DoesNotExist|NoSuch/i.test(e.code)) return "NotFound";
  if (/Throttl/i.test(e.code)) return "Throttling";
  if (/LimitExceeded/i.test(e.code)) return "ServiceLimitExceeded";
  return e.status < 500 ? "InvalidRequest" : "GeneralServiceException";
}

/** A service error as a resource handler words it: the message as AWS's SDKs word a service exception. */
export const handlerMessage = (e: ServiceError, type: string): string =>
  `${e.message} (Service: ${type.split("::")[1] ?? "Unknown"}, Status Code: ${e.status}, Request ID: ${uuid4()})`;

const RANDOM_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Twelve random capitals and digits: the suffix of a name CloudFormation or Cloud Control makes up. */
export function randomSuffix(): string {
  let random = "";
  for (let i = 0; i < 12; i++) random += RANDOM_CHARS[Math.floor(Math.random() * RANDOM_CHARS.length)];
  return random;
}

/**
 * Every identifier a paged list operation answers, for a provider's `list()`: `page(token)` calls the operation with
 * the previous page's token and gives that page's identifiers and the next token (none on the last page).
 */
export async function listAllIds(page: (token: string | undefined) => Promise<{ ids: (string | undefined)[]; next?: string }>): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const p = await page(token);
    for (const id of p.ids) if (id) ids.push(id);
    token = p.next;
  } while (token);
  return ids;
}

/** A tag map as CloudFormation's Tags property lists it ({Tags: [{Key, Value}]}), for a provider's `read()`; {} when there are none. */
export function tagsProperty(tags: Record<string, string> | undefined): { Tags?: { Key: string; Value: string }[] } {
  const list = Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  return list.length ? { Tags: list } : {};
}
