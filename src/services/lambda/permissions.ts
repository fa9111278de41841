// Resource-based policies of functions, versions and aliases: AddPermission, RemovePermission, GetPolicy.
// The statements are stored as AWS writes them and `allowsInvoke` evaluates them for the services that invoke
// functions on their own (triggers). Like the rest of Stratus today, Invoke itself does not enforce them.
import { randomUUID } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import type { Located } from "../../core/state.js";
import type { AddPermissionRequest, LambdaApi } from "./api.generated.js";
import { PolicyLengthExceededException, PreconditionFailedException, ResourceConflictException, ResourceNotFoundException } from "./api.generated.js";
import type { FunctionRec, PermissionRec } from "./state.js";
import { LATEST, functionArn, mustGetFunction, notFound, parseFunctionName, tables, transaction, versionKey } from "./state.js";
import { aliasNotFound } from "./aliases.js";
import { PRECONDITION_MESSAGE } from "./versions.js";

const POLICY_LIMIT = 20_480;

type Ctx = Located;

/** The policy's table key: the unqualified function and $LATEST share one policy. */
export const policyKey = (fn: string, qualifier: string | undefined) => `${fn}#${qualifier === undefined || qualifier === LATEST ? "" : qualifier}`;

interface Target {
  fn: FunctionRec;
  qualifier?: string;
  key: string;
  /** The (qualified) ARN the statements name as Resource. */
  arn: string;
  revisionId(): string | undefined;
  /** A new RevisionId for the function, version or alias, as AWS gives it when its policy changes. */
  bump(): void;
}

function target(ctx: HandlerContext, functionName: string, qualifier: string | undefined): Target {
  const ref = parseFunctionName(ctx, functionName, qualifier === "" ? undefined : qualifier);
  const t = tables(ctx);
  const fn = mustGetFunction(ctx, ref.name);
  const q = ref.qualifier;
  const base = { fn, qualifier: q, key: policyKey(fn.name, q), arn: functionArn(ctx, fn.name, q) };
  if (q === undefined || q === LATEST) {
    return {
      ...base,
      revisionId: () => t.functions.get(fn.name)?.latest.config.RevisionId,
      bump: () => {
        const cur = t.functions.get(fn.name);
        if (!cur) return;
        cur.latest.config.RevisionId = randomUUID();
        t.functions.put(cur.name, cur);
      },
    };
  }
  if (/^\d+$/.test(q)) {
    const key = versionKey(fn.name, q);
    if (!t.versions.has(key)) throw notFound(ctx, fn.name, q);
    return {
      ...base,
      revisionId: () => t.versions.get(key)?.config.RevisionId,
      bump: () => {
        const v = t.versions.get(key);
        if (!v) return;
        v.config.RevisionId = randomUUID();
        t.versions.put(key, v);
      },
    };
  }
  const key = `${fn.name}#${q}`;
  if (!t.aliases.has(key)) throw aliasNotFound(ctx, fn.name, q);
  return {
    ...base,
    revisionId: () => t.aliases.get(key)?.revisionId,
    bump: () => {
      const a = t.aliases.get(key);
      if (!a) return;
      a.revisionId = randomUUID();
      t.aliases.put(key, a);
    },
  };
}

/** The Principal as AWS writes it in the statement. */
export function principalOf(principal: string): unknown {
  if (principal === "*") return "*";
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (principal.startsWith("arn:")) return { AWS: principal };
  return { Service: principal };
}

function statementOf(i: AddPermissionRequest, resource: string): Record<string, unknown> {
  const condition: Record<string, Record<string, string>> = {};
  const add = (op: string, key: string, value: string) => ((condition[op] ??= {})[key] = value);
  if (i.SourceAccount !== undefined) add("StringEquals", "AWS:SourceAccount", i.SourceAccount);
  if (i.PrincipalOrgID !== undefined) add("StringEquals", "aws:PrincipalOrgID", i.PrincipalOrgID);
  if (i.EventSourceToken !== undefined) add("StringEquals", "lambda:EventSourceToken", i.EventSourceToken);
  if (i.FunctionUrlAuthType !== undefined) add("StringEquals", "lambda:FunctionUrlAuthType", i.FunctionUrlAuthType);
  if (i.InvokedViaFunctionUrl !== undefined) add("Bool", "lambda:InvokedViaFunctionUrl", String(i.InvokedViaFunctionUrl));
  if (i.SourceArn !== undefined) add("ArnLike", "AWS:SourceArn", i.SourceArn);
  return {
    Sid: i.StatementId,
    Effect: "Allow",
    Principal: principalOf(i.Principal),
    Action: i.Action,
    Resource: resource,
    ...(Object.keys(condition).length ? { Condition: condition } : {}),
  };
}

const policyDoc = (recs: PermissionRec[]) => JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: recs.map((r) => r.statement) });

export const permissions = {
  addPermission(input, ctx) {
    return transaction(ctx, () => {
      const tg = target(ctx, input.FunctionName, input.Qualifier);
      if (input.RevisionId !== undefined && input.RevisionId !== tg.revisionId()) throw new PreconditionFailedException(PRECONDITION_MESSAGE, { Type: "User" });
      const t = tables(ctx);
      const recs = t.permissions.get(tg.key) ?? [];
      if (recs.some((r) => r.sid === input.StatementId)) {
        throw new ResourceConflictException(`The statement id (${input.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`, { Type: "User" });
      }
      const statement = statementOf(input, tg.arn);
      const next = [...recs, { sid: input.StatementId, statement, revisionId: randomUUID() }];
      const size = policyDoc(next).length;
      if (size > POLICY_LIMIT) throw new PolicyLengthExceededException(`The final policy size (${size}) is bigger than the limit (${POLICY_LIMIT}).`, { Type: "User" });
      t.permissions.put(tg.key, next);
      tg.bump();
      return { Statement: JSON.stringify(statement) };
    });
  },

  removePermission(input, ctx) {
    transaction(ctx, () => {
      const tg = target(ctx, input.FunctionName, input.Qualifier);
      const t = tables(ctx);
      const recs = t.permissions.get(tg.key);
      if (!recs?.length) throw new ResourceNotFoundException("No policy is associated with the given resource.", { Type: "User" });
      if (!recs.some((r) => r.sid === input.StatementId)) throw new ResourceNotFoundException(`Statement ${input.StatementId} is not found in resource policy.`, { Type: "User" });
      if (input.RevisionId !== undefined && input.RevisionId !== tg.revisionId()) throw new PreconditionFailedException(PRECONDITION_MESSAGE, { Type: "User" });
      const next = recs.filter((r) => r.sid !== input.StatementId);
      if (next.length) t.permissions.put(tg.key, next);
      else t.permissions.delete(tg.key);
      tg.bump();
    });
    return {};
  },

  getPolicy(input, ctx) {
    const tg = target(ctx, input.FunctionName, input.Qualifier);
    const recs = tables(ctx).permissions.get(tg.key);
    if (!recs?.length) throw new ResourceNotFoundException("The resource you requested does not exist.", { Type: "User" });
    return { Policy: policyDoc(recs), RevisionId: tg.revisionId() };
  },
} satisfies Partial<LambdaApi>;

// --- evaluation, for the services that invoke functions on their own ---------------------------------------------

/** IAM's ArnLike/StringLike: `*` any run of characters, `?` one character. */
function like(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "s");
  return re.test(value);
}

function principalMatches(p: unknown, service: string): boolean {
  if (p === "*") return true;
  if (!p || typeof p !== "object") return false;
  const s = (p as { Service?: string | string[]; AWS?: string | string[] }).Service;
  const aws = (p as { AWS?: string | string[] }).AWS;
  if (aws === "*" || (Array.isArray(aws) && aws.includes("*"))) return true;
  return s === service || (Array.isArray(s) && s.includes(service));
}

/** The stored statements of the function's (or the version's/alias's) policy; none for a name that cannot be. */
function statementsOf(ctx: Ctx, functionName: string, qualifier: string | undefined): PermissionRec[] {
  try {
    const ref = parseFunctionName(ctx, functionName, qualifier);
    return tables(ctx).permissions.get(policyKey(ref.name, ref.qualifier)) ?? [];
  } catch {
    return [];
  }
}

/** A public grant: Principal "*" or {"AWS": "*"}. */
function isPublic(p: unknown): boolean {
  if (p === "*") return true;
  const aws = (p as { AWS?: string | string[] } | undefined)?.AWS;
  return aws === "*" || (Array.isArray(aws) && aws.includes("*"));
}

function actionMatches(a: unknown, action = "lambda:invokefunction"): boolean {
  const ok = (x: string) => [action, "lambda:*", "*"].includes(x.toLowerCase());
  return typeof a === "string" ? ok(a) : Array.isArray(a) && a.some((x) => typeof x === "string" && ok(x));
}

/** Every condition of the statement holds for this request; a condition on a key the request lacks fails. */
function conditionsHold(cond: Record<string, Record<string, string | string[]>> | undefined, keys: Record<string, string | undefined>): boolean {
  if (!cond) return true;
  for (const [op, entries] of Object.entries(cond)) {
    for (const [k, expected] of Object.entries(entries)) {
      const actual = keys[k.toLowerCase()];
      const wanted = Array.isArray(expected) ? expected : [expected];
      if (actual === undefined) return false;
      let ok: boolean;
      switch (op) {
        case "StringEquals":
        case "ArnEquals":
          ok = wanted.includes(actual);
          break;
        case "StringLike":
        case "ArnLike":
          ok = wanted.some((w) => like(w, actual));
          break;
        case "Bool":
          ok = wanted.map(String).includes(actual);
          break;
        default:
          ok = false; // an operator this evaluation does not know denies rather than allows
      }
      if (!ok) return false;
    }
  }
  return true;
}

/**
 * Whether the resource policy of the function (or of the version/alias `qualifier` names) lets the AWS service
 * `principalService` (e.g. "s3.amazonaws.com") invoke it for `sourceArn`/`sourceAccount`: an Allow statement
 * whose principal, action (lambda:InvokeFunction, lambda:* or *) and conditions all match. Only the statements
 * of the exact qualifier count, as on AWS (a grant on the unqualified function does not cover its aliases).
 */
export function allowsInvoke(ctx: Ctx, functionName: string, qualifier: string | undefined, principalService: string, sourceArn?: string, sourceAccount?: string): boolean {
  const recs = statementsOf(ctx, functionName, qualifier);
  const keys: Record<string, string | undefined> = { "aws:sourcearn": sourceArn, "aws:sourceaccount": sourceAccount };
  return recs.some(({ statement: s }) => s.Effect === "Allow" && principalMatches(s.Principal, principalService) && actionMatches(s.Action) && conditionsHold(s.Condition as Record<string, Record<string, string>> | undefined, keys));
}

/**
 * Whether the resource policy grants `action` to everyone (Principal "*"), given the request's condition keys:
 * what a function URL with AuthType NONE needs before it answers anyone.
 */
export function allowsPublic(ctx: Ctx, functionName: string, qualifier: string | undefined, action: string, keys: Record<string, string>): boolean {
  const recs = statementsOf(ctx, functionName, qualifier);
  const lower = Object.fromEntries(Object.entries(keys).map(([k, v]) => [k.toLowerCase(), v]));
  return recs.some(({ statement: s }) => s.Effect === "Allow" && isPublic(s.Principal) && actionMatches(s.Action, action.toLowerCase()) && conditionsHold(s.Condition as Record<string, Record<string, string>> | undefined, lower));
}
