// The contract between CloudFormation's engine (and, later, Cloud Control) and the services that own resource
// types. Each service implements its types in its own folder (`services/<svc>/cloudformation.ts`) through its own
// operations (`ctx.client(...)`), never its tables, and declares them in its registry entry (`resources`), so the
// engine loads a service's providers only when a template uses one of its types.
import type { HandlerContext } from "./context.js";

/** One resource operation as a provider sees it: the resolved properties, in the stack's account and region. */
export interface ResourceRequest {
  /** Context for the service calls, as the stack's caller (CloudTrail records them invokedBy CloudFormation). */
  ctx: HandlerContext;
  stackName: string;
  stackId: string;
  logicalId: string;
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
}

/** What a provider reports back: the physical id, what Ref returns (default: the physical id), GetAtt's values. */
export interface ResourceResult {
  physicalId: string;
  ref?: string;
  attributes?: Record<string, unknown>;
}

/**
 * A failure the provider words itself (CloudFormation's own types: "Embedded stack … was not successfully created:
 * …"): the resource's status reason is its message as it is, not wrapped as a service's handler error.
 */
export class ResourceFailure extends Error {}

export interface ResourceProvider {
  create(req: ResourceRequest): Promise<ResourceResult>;
  /** An in-place update (properties that do not require replacement changed). Absent: every change replaces. */
  update?(req: ResourceRequest & { physicalId: string; previous: Record<string, unknown> }): Promise<ResourceResult>;
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
