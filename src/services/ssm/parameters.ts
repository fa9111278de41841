// Parameters: put (versions, tiers, policies, SecureString), get by name/version/label, batch get, history, delete.
import type { HandlerContext } from "../../core/context.js";
import { countedTags } from "../../core/tags.js";
import { ParameterAlreadyExists, ParameterMaxVersionLimitExceeded, ParameterNotFound, TooManyTagsError, ValidationException } from "./api.generated.js";
import type { PutParameterRequest, SsmApi } from "./api.generated.js";
import { checkAllowedPattern, checkDataType, checkName, parsePolicies, resolveTier } from "./rules.js";
import { DEFAULT_KEY, encrypt, readValue } from "./secure.js";
import { MAX_VERSIONS, current, findParam, historyOut, pageOf, parameterArn, parameterOut, params, select, transaction } from "./state.js";
import type { ParamRec, VersionRec } from "./state.js";

async function putParameter(input: PutParameterRequest, ctx: HandlerContext) {
  // AWS trims spaces around a name; spaces inside it fail the character rule below.
  const name = input.Name.trim();
  if (input.Overwrite && input.Tags?.length) {
    throw new ValidationException(
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    );
  }
  const arn = parameterArn(ctx, name);
  checkName(name, arn.length);
  if (input.Value === "") {
    throw new ValidationException(
      "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1.",
    );
  }
  const before = params(ctx).get(name);
  if (before && !input.Overwrite)
    throw new ParameterAlreadyExists("The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
  const prev = before && current(before);
  const type = input.Type ?? prev?.type;
  if (!type) throw new ValidationException("A parameter type is required when you create a parameter.");
  if (input.KeyId !== undefined && type !== "SecureString") throw new ValidationException("KeyId is required for SecureString type parameter only.");
  const dataType = input.DataType ?? prev?.dataType ?? "text";
  checkDataType(dataType, input.Value);
  // Omitted attributes carry over from the version being replaced, as AWS keeps them on overwrite.
  const allowedPattern = input.AllowedPattern ?? prev?.allowedPattern;
  checkAllowedPattern(allowedPattern, input.Value);
  const policies = input.Policies !== undefined ? parsePolicies(input.Policies) : (prev?.policies ?? []);
  const tier = resolveTier(input.Tier, prev?.tier, input.Value, policies.length > 0);
  if (countedTags(input.Tags ?? [], (t) => t.Key) > 50) throw new TooManyTagsError("The Tags parameter contains more than 50 tags.");
  const keyId = type === "SecureString" ? (input.KeyId ?? (prev?.type === "SecureString" ? prev.keyId : undefined) ?? DEFAULT_KEY) : undefined;

  const value = type === "SecureString" ? await encrypt(ctx, keyId!, input.Value, arn) : input.Value;

  // After the await: read again, so a put that raced this one is seen.
  const table = params(ctx);
  const existing = table.get(name);
  if (existing && !input.Overwrite)
    throw new ParameterAlreadyExists("The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
  const rec: ParamRec = existing ?? { name, tags: input.Tags ?? [], versions: [] };
  if (rec.versions.length >= MAX_VERSIONS) {
    const oldest = rec.versions[0];
    if (oldest.labels.length) {
      throw new ParameterMaxVersionLimitExceeded(
        `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest.version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
      );
    }
    rec.versions.shift();
  }
  const version: VersionRec = {
    version: existing ? current(existing).version + 1 : 1,
    type,
    value,
    ...(keyId ? { keyId } : {}),
    ...((input.Description ?? prev?.description) !== undefined ? { description: input.Description ?? prev?.description } : {}),
    ...(allowedPattern !== undefined ? { allowedPattern } : {}),
    tier,
    dataType,
    policies,
    labels: [],
    modified: ctx.now(),
    user: ctx.principal.arn,
  };
  rec.versions.push(version);
  table.put(name, rec);
  return { Version: version.version, Tier: tier };
}

export const parameters = {
  putParameter,

  async getParameter({ Name, WithDecryption }, ctx) {
    const { param, version, selector } = select(ctx, Name);
    const value = await readValue(ctx, version, parameterArn(ctx, param.name), WithDecryption);
    return { Parameter: parameterOut(ctx, param, version, value, selector) };
  },

  async getParameters({ Names, WithDecryption }, ctx) {
    const found = [];
    const invalid: string[] = [];
    for (const raw of [...new Set(Names)]) {
      try {
        const { param, version, selector } = select(ctx, raw);
        const value = await readValue(ctx, version, parameterArn(ctx, param.name), WithDecryption);
        found.push(parameterOut(ctx, param, version, value, selector));
      } catch (e) {
        // Missing names and versions/labels are reported, not thrown; KMS failures still are.
        if ((e as { code?: string }).code !== "ParameterNotFound" && (e as { code?: string }).code !== "ParameterVersionNotFound") throw e;
        invalid.push(raw);
      }
    }
    return { Parameters: found, InvalidParameters: invalid };
  },

  async getParameterHistory({ Name, WithDecryption, MaxResults, NextToken }, ctx) {
    const param = findParam(ctx, Name);
    if (!param) throw new ParameterNotFound(`Parameter ${Name} not found.`);
    const key = (v: VersionRec) => String(v.version).padStart(12, "0");
    const page = pageOf(`history:${param.name}`, param.versions, key, NextToken, MaxResults ?? 50);
    const arn = parameterArn(ctx, param.name);
    const out = [];
    for (const v of page.items) out.push(historyOut(param, v, await readValue(ctx, v, arn, WithDecryption)));
    return { Parameters: out, ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },

  deleteParameter({ Name }, ctx) {
    const param = findParam(ctx, Name);
    if (!param) throw new ParameterNotFound(`Parameter ${Name} not found.`);
    params(ctx).delete(param.name);
    return {};
  },

  deleteParameters({ Names }, ctx) {
    const deleted: string[] = [];
    const invalid: string[] = [];
    const table = params(ctx);
    transaction(ctx, () => {
      for (const name of [...new Set(Names)]) {
        const param = findParam(ctx, name);
        if (param && table.delete(param.name)) deleted.push(name);
        else invalid.push(name);
      }
    });
    return { DeletedParameters: deleted, InvalidParameters: invalid };
  },
} satisfies Partial<SsmApi>;
