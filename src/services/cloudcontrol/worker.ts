// Cloud Control's running instance: resource requests run here, after the API answered IN_PROGRESS, through the
// same providers CloudFormation's engine uses (core/resources.ts). Each step's outcome is in the request's record
// before the next, so GetResourceRequestStatus sees SUCCESS or FAILED with AWS's HandlerErrorCode; a request a
// stopped server left running is failed when the service starts again (its work may have been half done).
import { isServiceError } from "../../core/errors.js";
import { applyPatch, JsonPatchError } from "../../core/json-patch.js";
import { handlerErrorCode, handlerMessage, randomSuffix, type ResourceProvider } from "../../core/resources.js";
import type { HandlerContext } from "../../core/context.js";
import type { ServiceHost } from "../../core/service.js";
import { readOnlyProperties, replacementProperties, typeExists, typeSchema, validateProperties } from "../cloudformation/internal.js";
import { type HandlerErrorCode, TypeNotFoundException, UnsupportedActionException } from "./api.generated.js";
import { ccState, type RequestRec } from "./state.js";

/** A handler's failure: AWS's HandlerErrorCode and the status message. */
export class HandlerError extends Error {
  constructor(
    readonly code: HandlerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The cfn handler framework's wording of a missing resource (aws-cloudformation-rpdk-java-plugin,
 * exceptions/CfnNotFoundException: "Resource of type '%s' with identifier '%s' was not found.").
 */
export const notFound = (type: string, id: string) => new HandlerError("NotFound", `Resource of type '${type}' with identifier '${id}' was not found.`);

/** A service's error as a handler reports it: its HandlerErrorCode, and the message as AWS's SDK words a service exception. */
export function handlerErrorOf(e: unknown, type: string): HandlerError {
  if (e instanceof HandlerError) return e;
  if (!isServiceError(e)) return new HandlerError("InternalFailure", "Internal Failure");
  return new HandlerError(handlerErrorCode(e), handlerMessage(e, type));
}

type Action = "CREATE" | "READ" | "UPDATE" | "DELETE" | "LIST";

/** A name for a resource the desired state does not name: `<Type>-<RANDOM>` (unverified against AWS's own). */
function generatedName(type: string, max: number, opts: { suffix?: string; lowercase?: boolean } = {}): string {
  const random = randomSuffix();
  const suffix = opts.suffix ?? "";
  const base = (type.split("::")[2] ?? "Resource").slice(0, Math.max(0, max - random.length - suffix.length - 1));
  const name = `${base ? `${base}-` : ""}${random}${suffix}`.slice(0, max);
  return opts.lowercase ? name.toLowerCase() : name;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The model without its read-only properties: what a create or an update takes. */
export function writable(type: string, model: Record<string, unknown>): Record<string, unknown> {
  const ro = new Set(readOnlyProperties(type));
  return Object.fromEntries(Object.entries(model).filter(([k]) => !ro.has(k)));
}

export class Worker {
  private readonly running = new Set<Promise<void>>();

  constructor(readonly host: ServiceHost) {}

  /**
   * The provider of a type for an action, or AWS's refusal: TypeNotFoundException for a type AWS does not have,
   * UnsupportedActionException for one Stratus does not run or whose provider cannot do the action.
   */
  async provider(type: string, action: Action): Promise<ResourceProvider> {
    // AWS's wording: "The type 'AWS::Route53RecoveryControl::Cluster' cannot be found." (pulumi/pulumi-aws-native#2308).
    if (!typeExists(type) || type.startsWith("Custom::")) throw new TypeNotFoundException(`The type '${type}' cannot be found.`);
    // CloudFormation's own types (stacks, custom resources, wait conditions) exist only inside a stack.
    const provider = type.startsWith("AWS::CloudFormation::") ? undefined : await this.host.resourceProvider(type);
    if (!provider || !typeSchema(type)) throw new UnsupportedActionException(`Resource type ${type} is not supported by Stratus yet: no service here runs it.`);
    const missing = ((action === "READ" || action === "UPDATE") && !provider.read) || (action === "LIST" && (!provider.list || !provider.read));
    if (missing) throw new UnsupportedActionException(`Resource type ${type} does not support ${action} action in Stratus yet.`); // unverified wording
    return provider;
  }

  /** Fails every request a previous run left in progress. */
  resume(): void {
    for (const { tables } of ccState.all(this.host, "requests")) {
      for (const { value: r } of tables.requests.list()) {
        if (r.status !== "IN_PROGRESS" && r.status !== "PENDING" && r.status !== "CANCEL_IN_PROGRESS") continue;
        if (r.status === "CANCEL_IN_PROGRESS") Object.assign(r, { status: "CANCEL_COMPLETE", eventTime: this.host.clock.now() });
        else
          Object.assign(r, {
            status: "FAILED",
            errorCode: "ServiceInternalError",
            statusMessage: "Stratus stopped while the request was in progress.",
            eventTime: this.host.clock.now(),
          });
        tables.requests.put(r.token, r);
      }
    }
  }

  async drain(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  /** Runs a stored request in the background. */
  start(account: string, region: string, token: string): void {
    const run = (async () => {
      await Promise.resolve();
      const tables = ccState.at(this.host, account, region);
      const r = tables.requests.get(token);
      if (!r) return;
      const ctx = this.host.context("cloudcontrol", `${r.operation[0]}${r.operation.slice(1).toLowerCase()}Resource`, {
        account,
        region,
        principal: r.principal,
        host: r.host,
        invokedBy: "cloudcontrol",
      });
      // A CancelResourceRequest made meanwhile is in the stored record, not in this copy: read again at the end.
      const cancelled = () => r.cancelled || tables.requests.get(token)?.cancelled === true;
      try {
        const out = await this.perform(ctx, r);
        Object.assign(r, out, { status: cancelled() ? "CANCEL_COMPLETE" : "SUCCESS" });
      } catch (e) {
        if (!(e instanceof HandlerError)) this.host.logger.error(`cloudcontrol: ${r.operation} ${r.typeName} failed`, e);
        const err = handlerErrorOf(e, r.typeName);
        Object.assign(r, { status: cancelled() ? "CANCEL_COMPLETE" : "FAILED", errorCode: err.code, statusMessage: err.message });
      }
      if (cancelled()) r.cancelled = true;
      r.eventTime = this.host.clock.now();
      tables.requests.put(token, r);
    })().finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private async perform(ctx: HandlerContext, r: RequestRec): Promise<Partial<RequestRec>> {
    const type = r.typeName;
    const provider = await this.provider(type, r.operation);
    const read = async (id: string) => (provider.read ? await provider.read({ ctx, physicalId: id }) : undefined);
    const base = { ctx, stackName: "", stackId: "", logicalId: type.split("::")[2] ?? "Resource" };
    if (r.operation === "CREATE") {
      const properties = JSON.parse(r.input!) as Record<string, unknown>;
      const out = await provider.create({ ...base, properties, generateName: (max, opts) => generatedName(type, max, opts) });
      const model = (await read(out.physicalId)) ?? { ...properties, ...out.attributes };
      return { identifier: out.physicalId, resourceModel: JSON.stringify(model) };
    }
    const id = r.identifier!;
    if (r.operation === "DELETE") {
      const current = provider.read ? await read(id) : {};
      if (!current) throw notFound(type, id);
      await provider.delete({ ...base, physicalId: id, properties: writable(type, current), generateName: () => id });
      return {};
    }
    // UPDATE: the patch applies to the current model; read-only and create-only properties may not change.
    const current = await read(id);
    if (!current) throw notFound(type, id);
    const before = writable(type, current);
    let after: Record<string, unknown>;
    try {
      after = applyPatch(current, JSON.parse(r.input!));
    } catch (e) {
      if (e instanceof JsonPatchError || e instanceof SyntaxError) throw new HandlerError("InvalidRequest", `Invalid patch update: ${e.message}`); // unverified wording
      throw e;
    }
    if (!isObject(after)) throw new HandlerError("InvalidRequest", "Invalid patch update: the resource model must stay an object"); // unverified wording
    const changed = (k: string) => JSON.stringify(current[k]) !== JSON.stringify(after[k]);
    const readOnly = readOnlyProperties(type).filter(changed);
    // Wording as the cfn handler framework's (unverified against a recorded response).
    if (readOnly.length)
      throw new HandlerError(
        "NotUpdatable",
        `Invalid patch update: readOnlyProperties [${readOnly.map((k) => `/properties/${k}`).join(", ")}] cannot be updated`,
      );
    const createOnly = replacementProperties(type).filter(changed);
    if (createOnly.length)
      throw new HandlerError(
        "NotUpdatable",
        `Invalid patch update: createOnlyProperties [${createOnly.map((k) => `/properties/${k}`).join(", ")}] cannot be updated`,
      );
    const properties = writable(type, after);
    const checked = validateProperties(base.logicalId, type, properties);
    if (checked.problems.length) throw new HandlerError("InvalidRequest", `Model validation failed (${checked.problems.join(", ")})`); // several problems: unverified
    if (!provider.update) throw new HandlerError("NotUpdatable", `Resource type ${type} cannot be updated in place in Stratus yet.`); // unverified wording
    await provider.update({ ...base, physicalId: id, properties, previous: before, generateName: () => id });
    const model = (await read(id)) ?? after;
    return { resourceModel: JSON.stringify(model) };
  }
}
