// Resource-based policies of functions, versions and aliases: AddPermission, RemovePermission, GetPolicy.
// The statements are stored as AWS writes them and `allowsInvoke` evaluates them (core/policy, as every resource
// policy) for the services that invoke functions on their own (triggers). Like the rest of Stratus today, Invoke itself does not enforce them.
import { randomUUID } from "node:crypto";
import { globalArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { evaluatePolicy } from "../../core/policy/evaluate.js";
import type { Located } from "../../core/state.js";
import type { AddPermissionRequest, LambdaApi } from "./api.generated.js";
import {
  InvalidParameterValueException,
  PolicyLengthExceededException,
  PreconditionFailedException,
  ResourceConflictException,
  ResourceNotFoundException,
} from "./api.generated.js";
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
  if (/^\d{12}$/.test(principal)) return { AWS: globalArn(principal, "iam", "root") };
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
    // A policy is the unqualified function's or a version's or alias's, never $LATEST's, named in FunctionName or
    // Qualifier; refused before the function is looked up. Source: LocalStack's AWS-recorded
    // tests/aws/services/lambda_/test_lambda_api.snapshot.json, test_permission_exceptions, add_permission_fn_qualifier_latest.
    if (parseFunctionName(ctx, input.FunctionName, input.Qualifier === "" ? undefined : input.Qualifier).qualifier === LATEST) {
      throw new InvalidParameterValueException("We currently do not support adding policies for $LATEST.", { Type: "User" });
    }
    return transaction(ctx, () => {
      const tg = target(ctx, input.FunctionName, input.Qualifier);
      if (input.RevisionId !== undefined && input.RevisionId !== tg.revisionId()) throw new PreconditionFailedException(PRECONDITION_MESSAGE, { Type: "User" });
      const t = tables(ctx);
      const recs = t.permissions.get(tg.key) ?? [];
      if (recs.some((r) => r.sid === input.StatementId)) {
        throw new ResourceConflictException(
          `The statement id (${input.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
          { Type: "User" },
        );
      }
      const statement = statementOf(input, tg.arn);
      const next = [...recs, { sid: input.StatementId, statement, revisionId: randomUUID() }];
      const size = policyDoc(next).length;
      if (size > POLICY_LIMIT)
        throw new PolicyLengthExceededException(`The final policy size (${size}) is bigger than the limit (${POLICY_LIMIT}).`, { Type: "User" });
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
      if (!recs.some((r) => r.sid === input.StatementId))
        throw new ResourceNotFoundException(`Statement ${input.StatementId} is not found in resource policy.`, { Type: "User" });
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

/** The stored statements of the function's (or the version's/alias's) policy; none for a name that cannot be. */
function statementsOf(ctx: Ctx, functionName: string, qualifier: string | undefined): readonly PermissionRec[] {
  try {
    const ref = parseFunctionName(ctx, functionName, qualifier);
    // Asked on every invocation a service makes (API Gateway's, S3's…): the shared, cached record (Table.read).
    return tables(ctx).permissions.read(policyKey(ref.name, ref.qualifier)) ?? [];
  } catch {
    return [];
  }
}

/**
 * Whether the resource policy of the function (or of the version/alias `qualifier` names) lets the AWS service
 * `principalService` (e.g. "s3.amazonaws.com") invoke it for `sourceArn`/`sourceAccount`: an Allow statement
 * whose principal, action (lambda:InvokeFunction, with wildcards) and conditions all match, and no such Deny. Only the statements
 * of the exact qualifier count, as on AWS (a grant on the unqualified function does not cover its aliases).
 */
export function allowsInvoke(
  ctx: Ctx,
  functionName: string,
  qualifier: string | undefined,
  principalService: string,
  sourceArn?: string,
  sourceAccount?: string,
): boolean {
  const statements = statementsOf(ctx, functionName, qualifier).map((r) => r.statement);
  const context = { "aws:sourcearn": sourceArn, "aws:sourceaccount": sourceAccount };
  return evaluatePolicy(statements, { caller: { type: "service", service: principalService }, action: "lambda:InvokeFunction", context }) === "Allow";
}

/**
 * Whether the resource policy grants `action` to everyone (Principal "*"), given the request's condition keys:
 * what a function URL with AuthType NONE needs before it answers anyone.
 */
export function allowsPublic(ctx: Ctx, functionName: string, qualifier: string | undefined, action: string, keys: Record<string, string>): boolean {
  const statements = statementsOf(ctx, functionName, qualifier).map((r) => r.statement);
  const context = Object.fromEntries(Object.entries(keys).map(([k, v]) => [k.toLowerCase(), v]));
  return evaluatePolicy(statements, { caller: { type: "anonymous" }, action, context }) === "Allow";
}
