// Macros: AWS::CloudFormation::Macro records a name → Lambda function in the account and region; a template that
// names it (its Transform section, or `Fn::Transform`) has that function process the fragment. The event and the
// response are AWS's (User Guide, "Perform custom processing on CloudFormation templates with template macros"):
// { region, accountId, fragment, transformId, params, requestId, templateParameterValues } in,
// { requestId, status, fragment, errorMessage } out.
import type { HandlerContext } from "../../core/context.js";
import { isServiceError, ServiceError } from "../../core/errors.js";
import { uuid4 } from "../../core/ids.js";
import type { ResourceProvider } from "../../core/resources.js";
import { defineState, regional } from "../../core/state.js";
import type { TransformOptions } from "./transforms/index.js";

export interface MacroRec {
  name: string;
  functionName: string;
  description?: string;
  logGroupName?: string;
  logRoleArn?: string;
  /** The stack whose resource made it. */
  stackId: string;
  logicalId: string;
  createdAt: number;
}

/** Macro name → its function, per account and region. */
export const macroState = defineState("cloudformation", { macros: regional<MacroRec>() });

const validation = (message: string) => new ServiceError("ValidationError", message, 400);

function record(req: { ctx: HandlerContext; stackId: string; logicalId: string; properties: Record<string, unknown> }): MacroRec {
  const p = req.properties;
  return {
    name: String(p.Name),
    functionName: String(p.FunctionName),
    description: p.Description === undefined ? undefined : String(p.Description),
    logGroupName: p.LogGroupName === undefined ? undefined : String(p.LogGroupName),
    logRoleArn: p.LogRoleARN === undefined ? undefined : String(p.LogRoleARN),
    stackId: req.stackId,
    logicalId: req.logicalId,
    createdAt: req.ctx.now(),
  };
}

export const macroProvider: ResourceProvider = {
  async create(req) {
    const t = macroState.of(req.ctx);
    const rec = record(req);
    const existing = t.macros.get(rec.name);
    if (existing && existing.stackId !== req.stackId) {
      throw new ServiceError("AlreadyExistsException", `Macro ${rec.name} already exists in stack ${existing.stackId}`, 400); // unverified wording
    }
    t.macros.put(rec.name, rec);
    return { physicalId: rec.name, attributes: { Id: rec.name } };
  },
  async update(req) {
    const t = macroState.of(req.ctx);
    const rec = record(req);
    t.macros.put(rec.name, { ...rec, createdAt: t.macros.get(rec.name)?.createdAt ?? rec.createdAt });
    return { physicalId: rec.name, attributes: { Id: rec.name } };
  },
  async delete(req) {
    const t = macroState.of(req.ctx);
    if (t.macros.get(req.physicalId)?.stackId === req.stackId) t.macros.delete(req.physicalId);
  },
};

/** `{ Ref: <template parameter> }` in a transform's parameters, resolved to the parameter's value. */
function resolveRefs(value: unknown, parameters: Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, parameters));
  if (typeof value !== "object" || value === null) return value;
  const keys = Object.keys(value);
  const ref = (value as { Ref?: unknown }).Ref;
  if (keys.length === 1 && typeof ref === "string" && ref in parameters) return parameters[ref];
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, parameters)]));
}

/** Runs the account's macro `name` on a fragment; AWS's errors when there is none or it fails. */
export async function runMacro(
  name: string,
  fragment: unknown,
  params: Record<string, unknown> | undefined,
  ctx: HandlerContext,
  opts: TransformOptions,
): Promise<unknown> {
  const transformId = `${ctx.account}::${name}`;
  const macro = macroState.of(ctx).macros.get(name);
  // AWS's wording (aws-cloudformation-templates#363: "No transform named <account ID>::String found.").
  if (!macro) throw validation(`No transform named ${transformId} found.`);
  const requestId = uuid4();
  const templateParameterValues = opts.parameterValues ?? {};
  const event = {
    region: ctx.region,
    accountId: ctx.account,
    fragment,
    transformId,
    params: resolveRefs(params ?? {}, templateParameterValues),
    requestId,
    templateParameterValues,
  };
  // AWS's wordings: "Transform <id> failed with: <message>", "… failed without an error message."
  // (aws-cloudformation-templates#336, #363), "Received malformed response from transform <id>." (#267).
  const failedWith = (message: string) => validation(`Transform ${transformId} failed with: ${message}`);
  const malformed = () => validation(`Received malformed response from transform ${transformId}.`);
  let out: { FunctionError?: string; Payload?: Uint8Array };
  try {
    out = await ctx.client("lambda").invoke({ FunctionName: macro.functionName, Payload: Buffer.from(JSON.stringify(event)) });
  } catch (e) {
    if (isServiceError(e)) throw failedWith(e.message); // unverified wording: the function could not be invoked
    throw e;
  }
  let response: unknown;
  try {
    response = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString("utf8"));
  } catch {
    throw malformed();
  }
  const r = (typeof response === "object" && response !== null ? response : {}) as Record<string, unknown>;
  // A function that threw: its errorMessage, as the macro's failure (unverified wording for this case).
  if (out.FunctionError) throw failedWith(typeof r.errorMessage === "string" ? r.errorMessage : out.FunctionError);
  if (typeof r.status !== "string" || r.requestId !== requestId) throw malformed();
  if (r.status.toLowerCase() !== "success") {
    if (typeof r.errorMessage === "string" && r.errorMessage) throw failedWith(r.errorMessage);
    throw validation(`Transform ${transformId} failed without an error message.`);
  }
  if (!("fragment" in r)) throw malformed();
  return r.fragment;
}
