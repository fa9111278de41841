// What the SAM resources' translators share while one template is transformed: the template (Globals merged),
// the resources produced so far, the parameters' defaults, the renames of logical ids, the API routes events add.
import type { Template } from "../../template/index.js";
import type { Obj } from "./common.js";
import type { ManagedPolicyArn } from "./policies.js";

/** One route an Api/HttpApi event adds to an API's definition. */
export interface Route {
  path: string;
  method: string;
  /** The invocations URI's function reference, as it stands in `${…}` of Fn::Sub (`Fn.Arn` or an alias id). */
  target: string;
  payloadFormatVersion?: unknown;
  timeoutInMillis?: unknown;
  /** The event's Auth, and the function and event it comes from (for SAM's errors about it). */
  auth?: unknown;
  /** An Api event's TimeoutInMillis, RequestModel and RequestParameters. */
  extras?: Obj;
  /** An HttpApi event's RouteSettings, under its route ("GET /path", or the path alone for a method-less event). */
  routeSettings?: { route: string; settings: unknown };
  fn?: string;
  event?: string;
}

export interface SamContext {
  input: Template;
  resources: Record<string, Obj>;
  /** Parameters' defaults: what SAM resolves Ref to a parameter to where it must read a value. */
  params: Record<string, unknown>;
  /** Logical ids SAM renamed (a layer's hashed id) and `Fn.Alias` / `Fn.Version` references. */
  renames: Map<string, string>;
  arnOf: ManagedPolicyArn;
  /** Routes by API logical id (ServerlessRestApi / ServerlessHttpApi for the implicit ones). */
  restRoutes: Map<string, Route[]>;
  httpRoutes: Map<string, Route[]>;
  /** The time (epoch ms): what AlwaysDeploy's deployment id hashes. */
  now(): number;
  /** Adds a generated resource; SAM's error when the id is already taken (DuplicateLogicalIdException). */
  add(from: string, id: string, resource: Obj): void;
}
