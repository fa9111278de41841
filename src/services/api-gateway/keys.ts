// API keys: create (a generated 40-character value, or one given of at least 20), get (the value on request),
// list (name prefix, customer id, values on request, paging), update by patch operations, delete, and ImportApiKeys'
// CSV. The value → id index (apiKeyValues) is what the execute-api endpoint finds a key by (x-api-key). Usage plans,
// their keys and usage are in usage-plans.ts; both are merged here as the service's "keys" area.
import type { HandlerContext } from "../../core/context.js";
import { pageByKey } from "../../core/paging.js";
import {
  type ApiGatewayApi,
  type ApiKey,
  type ApiKeyIds,
  type CreateApiKeyRequest,
  type GetApiKeysRequest,
  type ImportApiKeysRequest,
  type PatchOperation,
  type StageKey,
  BadRequestException,
  ConflictException,
  NotFoundException,
} from "./api.generated.js";
import { type ApiKeyRec, newId, tables, transaction } from "./state.js";
import { keysChanged } from "./usage.js";
import { applyPatch, invalidPatchOp, type PatchSpec } from "./patch.js";
import { keyNotFound, usagePlans } from "./usage-plans.js";

const VALUE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A key value as API Gateway generates them: 40 letters and digits. */
function generateValue(): string {
  let v = "";
  for (const b of crypto.getRandomValues(new Uint8Array(40))) v += VALUE_CHARS[b % VALUE_CHARS.length];
  return v;
}

export function keyOut(rec: ApiKeyRec, includeValue: boolean): ApiKey {
  return {
    id: rec.id,
    ...(includeValue ? { value: rec.value } : {}),
    name: rec.name,
    customerId: rec.customerId,
    description: rec.description,
    enabled: rec.enabled,
    createdDate: new Date(rec.createdDate),
    lastUpdatedDate: new Date(rec.lastUpdatedDate),
    stageKeys: rec.stageKeys,
    ...(Object.keys(rec.tags).length ? { tags: rec.tags } : {}),
  };
}

export function getKey(ctx: HandlerContext, id: string): ApiKeyRec {
  const rec = tables(ctx).apiKeys.get(id);
  if (!rec) throw keyNotFound();
  return rec;
}

/** "<restApiId>/<stageName>" for a stage that exists (the stage key form GetApiKey answers). */
function stageKeyOf(ctx: HandlerContext, restApiId: string | undefined, stageName: string | undefined): string {
  if (!restApiId || !stageName || !tables(ctx).stages.has(`${restApiId}/${stageName}`)) {
    throw new BadRequestException(`Invalid stage key provided: ${restApiId ?? ""}/${stageName ?? ""}`); // unverified wording
  }
  return `${restApiId}/${stageName}`;
}

function checkValue(ctx: HandlerContext, value: string): void {
  if (value.length < 20) throw new BadRequestException("API Key value should be at least 20 characters");
  if (tables(ctx).apiKeyValues.has(value)) throw new ConflictException("API Key already exists");
}

function createKey(
  ctx: HandlerContext,
  input: { name?: string; description?: string; enabled?: boolean; value?: string; customerId?: string; stageKeys?: StageKey[]; tags?: Record<string, string> },
): ApiKeyRec {
  const value = input.value ?? generateValue();
  checkValue(ctx, value);
  const stageKeys = (input.stageKeys ?? []).map((s) => stageKeyOf(ctx, s.restApiId, s.stageName));
  const now = ctx.now();
  const rec: ApiKeyRec = {
    id: newId(),
    value,
    name: input.name,
    customerId: input.customerId,
    description: input.description,
    // CreateApiKey's enabled defaults to false (the CLI's --enabled, the CDK's enabled: true set it).
    enabled: input.enabled ?? false,
    createdDate: now,
    lastUpdatedDate: now,
    stageKeys: [...new Set(stageKeys)],
    tags: input.tags ?? {},
  };
  const t = tables(ctx);
  t.apiKeys.put(rec.id, rec);
  t.apiKeyValues.put(value, rec.id);
  keysChanged();
  return rec;
}

const createApiKey = (input: CreateApiKeyRequest, ctx: HandlerContext): ApiKey => transaction(ctx, () => keyOut(createKey(ctx, input), true));

/** UpdateApiKey's scalar paths (patch.ts); "/stages" add/remove "<restApiId>/<stage>" is handled beside them. */
const KEY_SPEC: PatchSpec = {
  name: { kind: "string", ops: ["replace"] },
  description: { kind: "string", ops: ["replace"] },
  customerId: { kind: "string", ops: ["replace"] },
  enabled: { kind: "boolean", ops: ["replace"] },
};

function updateApiKey(input: { apiKey: string; patchOperations?: PatchOperation[] }, ctx: HandlerContext): ApiKey {
  return transaction(ctx, () => {
    let rec = structuredClone(getKey(ctx, input.apiKey));
    for (const op of input.patchOperations ?? []) {
      if (op.path === "/stages") {
        if (op.op !== "add" && op.op !== "remove") throw invalidPatchOp(op, ["add", "remove"]);
        const [restApiId, stageName] = (op.value ?? "").split("/");
        const key = stageKeyOf(ctx, restApiId, stageName);
        rec.stageKeys = op.op === "add" ? [...new Set([...rec.stageKeys, key])] : rec.stageKeys.filter((s) => s !== key);
      } else {
        rec = applyPatch(rec, [op], KEY_SPEC);
      }
    }
    rec.lastUpdatedDate = ctx.now();
    tables(ctx).apiKeys.put(rec.id, rec);
    keysChanged();
    return keyOut(rec, false);
  });
}

function deleteApiKey(input: { apiKey: string }, ctx: HandlerContext): Record<string, never> {
  return transaction(ctx, () => {
    const rec = getKey(ctx, input.apiKey);
    const t = tables(ctx);
    t.apiKeys.delete(rec.id);
    t.apiKeyValues.delete(rec.value);
    // The key leaves every usage plan it was in (its usage records go with it).
    for (const { key } of t.usagePlanKeys.list()) if (key.endsWith(`/${rec.id}`)) t.usagePlanKeys.delete(key);
    for (const { key } of t.usage.list()) if (key.split("/")[1] === rec.id) t.usage.delete(key);
    keysChanged();
    return {};
  });
}

function getApiKeys(input: GetApiKeysRequest, ctx: HandlerContext) {
  const all = tables(ctx)
    .apiKeys.list()
    .map((e) => e.value)
    .filter(
      (k) =>
        (input.nameQuery === undefined || (k.name ?? "").startsWith(input.nameQuery)) && (input.customerId === undefined || k.customerId === input.customerId),
    );
  const page = pageByKey(all, (k) => k.id, {
    operation: "GetApiKeys",
    token: input.position,
    max: Math.min(Math.max(input.limit ?? 25, 1), 500),
    invalid: () => new BadRequestException("Invalid position parameter"), // unverified wording
    bind: JSON.stringify([input.nameQuery ?? null, input.customerId ?? null]),
  });
  return { items: page.items.map((k) => keyOut(k, input.includeValues === true)), ...(page.next ? { position: page.next } : {}) };
}

/** A CSV line's fields (double quotes group, "" is a quote). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

/**
 * ImportApiKeys, format csv: a header row naming the columns (case-insensitive) Name, Key (required), Description,
 * Enabled, CustomerId and UsagePlanIds (several separated by commas, in quotes), one key per row, as
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-key-file-format.html documents it.
 */
function importApiKeys(input: ImportApiKeysRequest, ctx: HandlerContext): ApiKeyIds {
  if (input.format !== "csv") throw new BadRequestException(`Invalid format: ${input.format}`); // unverified wording
  const lines = Buffer.from(input.body)
    .toString("utf8")
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "");
  const header = csvFields(lines[0] ?? "").map((h) => h.toLowerCase());
  const col = (name: string) => header.indexOf(name);
  if (col("key") < 0) throw new BadRequestException("Invalid API Key CSV file: a 'Key' column is required"); // unverified wording
  return transaction(ctx, () => {
    const ids: string[] = [];
    const warnings: string[] = [];
    lines.slice(1).forEach((line, i) => {
      const f = csvFields(line);
      const get = (name: string) => (col(name) >= 0 && f[col(name)] !== "" ? f[col(name)] : undefined);
      const enabled = get("enabled");
      try {
        const rec = createKey(ctx, {
          name: get("name"),
          value: get("key"),
          description: get("description"),
          customerId: get("customerid"),
          enabled: enabled === undefined ? false : enabled.toLowerCase() === "true",
        });
        for (const planId of (get("usageplanids") ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)) {
          usagePlans.createUsagePlanKey({ usagePlanId: planId, keyId: rec.id, keyType: "API_KEY" }, ctx);
        }
        ids.push(rec.id);
      } catch (e) {
        if (input.failOnWarnings) throw e;
        warnings.push(`Line ${i + 2}: ${(e as Error).message}`); // unverified wording
        if (!(e instanceof BadRequestException || e instanceof ConflictException || e instanceof NotFoundException)) throw e;
      }
    });
    return { ids, ...(warnings.length ? { warnings } : {}) };
  });
}

export const keys = {
  createApiKey,
  getApiKey: (input, ctx) => keyOut(getKey(ctx, input.apiKey), input.includeValue === true),
  getApiKeys,
  updateApiKey,
  deleteApiKey,
  importApiKeys,
  ...usagePlans,
} satisfies Partial<ApiGatewayApi>;
