// Listing parameters: GetParametersByPath and DescribeParameters with their filters, in name order, paged.
import type { HandlerContext } from "../../core/context.js";
import { InvalidFilterKey, InvalidFilterOption, InvalidFilterValue, ValidationException } from "./api.generated.js";
import type { ParameterStringFilter, ParametersFilter, SsmApi } from "./api.generated.js";
import { checkPath } from "./rules.js";
import { readValue } from "./secure.js";
import { current, metadataOut, pageOf, parameterArn, parameterOut, params } from "./state.js";
import type { ParamRec, VersionRec } from "./state.js";

const OPTIONS: Record<string, string[]> = {
  Path: ["OneLevel", "Recursive"],
  Name: ["Equals", "BeginsWith", "Contains"],
  Label: ["Equals"],
};
const VALUES: Record<string, string[]> = {
  Type: ["String", "StringList", "SecureString"],
  Tier: ["Standard", "Advanced", "Intelligent-Tiering"],
};
// AWS's ParameterStringFilter: by path takes only these; DescribeParameters takes every key but Label.
const BY_PATH_KEYS = ["Type", "KeyId", "Label"];
const DESCRIBE_KEYS = ["Path", "Name", "Type", "KeyId", "Tier", "DataType", "tag:"];

const optionsFor = (key: string) => OPTIONS[key] ?? ["Equals", "BeginsWith"];
const defaultOption = (key: string) => (key === "Path" ? "OneLevel" : "Equals");

function checkFilters(filters: ParameterStringFilter[], allowed: string[]): void {
  const seen = new Set<string>();
  for (const f of filters) {
    const base = f.Key.startsWith("tag:") ? "tag:" : f.Key;
    if (!allowed.includes(base)) {
      throw new InvalidFilterKey(
        `The following filter key is not valid: ${f.Key}. Valid filter keys include: [${allowed.map((k) => (k === "tag:" ? "tag" : k)).join(", ")}].`,
      );
    }
    if (seen.has(f.Key))
      throw new InvalidFilterKey(
        `The following filter is duplicated in the request: ${f.Key}. A request can contain only one occurrence of a specific filter.`,
      );
    seen.add(f.Key);
    const option = f.Option ?? defaultOption(f.Key);
    const options = f.Key.startsWith("tag:") ? ["Equals", "BeginsWith"] : optionsFor(f.Key);
    if (!options.includes(option))
      throw new InvalidFilterOption(`The following filter option is not valid: ${option}. Valid options include: [${options.join(", ")}].`);
    if (!f.Values?.length && !f.Key.startsWith("tag:")) throw new InvalidFilterValue(`The following filter values are missing : null for filter key ${f.Key}.`);
    for (const v of f.Values ?? []) {
      const valid = VALUES[f.Key];
      if (valid && !valid.includes(v))
        throw new InvalidFilterValue(`The following filter value is not valid: ${v}. Valid values include: [${valid.join(", ")}].`);
    }
    if (f.Key === "Path") for (const v of f.Values ?? []) checkPath(v);
  }
}

/** The hierarchy level a name sits in: "/a/b/c" → "/a/b"; "/a" and "a" → "/". */
const parentOf = (name: string) => {
  const i = name.lastIndexOf("/");
  return i <= 0 ? "/" : name.slice(0, i);
};
const trimPath = (p: string) => (p.length > 1 ? p.replace(/\/+$/, "") : p);
const underPath = (name: string, path: string, recursive: boolean) => (recursive ? path === "/" || name.startsWith(`${path}/`) : parentOf(name) === path);
const slashed = (s: string) => `/${s.replace(/^\//, "")}`;

function matchText(actual: string | undefined, option: string, values: string[]): boolean {
  if (actual === undefined) return false;
  return values.some((v) => (option === "BeginsWith" ? actual.startsWith(v) : option === "Contains" ? actual.includes(v) : actual === v));
}

/** The version of `p` a filter set selects (a Label filter picks the labelled version), or undefined if none matches. */
function matches(p: ParamRec, filters: ParameterStringFilter[]): VersionRec | undefined {
  let v = current(p);
  for (const f of filters) {
    const option = f.Option ?? defaultOption(f.Key);
    const values = f.Values ?? [];
    if (f.Key === "Label") {
      const labelled = [...p.versions].reverse().find((x) => x.labels.some((l) => values.includes(l)));
      if (!labelled) return undefined;
      v = labelled;
      continue;
    }
    if (f.Key.startsWith("tag:")) {
      const tag = p.tags.find((t) => t.Key === f.Key.slice(4));
      if (!tag || (values.length && !matchText(tag.Value, option, values))) return undefined;
      continue;
    }
    const ok =
      f.Key === "Path"
        ? values.some((path) => underPath(slashed(p.name), trimPath(path), option === "Recursive"))
        : f.Key === "Name"
          ? matchText(option === "Contains" ? p.name : slashed(p.name), option, option === "Contains" ? values : values.map(slashed))
          : f.Key === "Type"
            ? matchText(v.type, option, values)
            : f.Key === "KeyId"
              ? matchText(v.keyId, option, values)
              : f.Key === "Tier"
                ? matchText(v.tier, option, values)
                : f.Key === "DataType"
                  ? matchText(v.dataType, option, values)
                  : false;
    if (!ok) return undefined;
  }
  return v;
}

// The older Filters form: Name values are prefixes, Type and KeyId exact.
function matchesLegacy(p: ParamRec, filters: ParametersFilter[]): boolean {
  const v = current(p);
  return filters.every((f) =>
    f.Key === "Name" ? f.Values.some((x) => p.name.startsWith(x)) : f.Key === "Type" ? f.Values.includes(v.type) : f.Values.includes(v.keyId ?? ""),
  );
}

const all = (ctx: HandlerContext) =>
  params(ctx)
    .list()
    .map((e) => e.value);

export const queries = {
  async getParametersByPath({ Path, Recursive, ParameterFilters = [], WithDecryption, MaxResults, NextToken }, ctx) {
    checkPath(Path);
    checkFilters(ParameterFilters, BY_PATH_KEYS);
    const path = trimPath(Path);
    const hits: { p: ParamRec; v: VersionRec }[] = [];
    for (const p of all(ctx)) {
      if (!underPath(slashed(p.name), path, !!Recursive)) continue;
      const v = matches(p, ParameterFilters);
      if (v) hits.push({ p, v });
    }
    const page = pageOf(`path:${path}:${!!Recursive}`, hits, (h) => h.p.name, NextToken, MaxResults ?? 10);
    const out = [];
    for (const { p, v } of page.items) out.push(parameterOut(ctx, p, v, await readValue(ctx, v, parameterArn(ctx, p.name), WithDecryption)));
    return { Parameters: out, ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },

  describeParameters({ Filters, ParameterFilters, MaxResults, NextToken, Shared }, ctx) {
    if (Filters?.length && ParameterFilters?.length) throw new ValidationException("You can use either Filters or ParameterFilters in a single request.");
    checkFilters(ParameterFilters ?? [], DESCRIBE_KEYS);
    // Parameters shared from other accounts (RAM) are not modelled: there are none to list.
    const list = Shared ? [] : all(ctx).filter((p) => (Filters?.length ? matchesLegacy(p, Filters) : matches(p, ParameterFilters ?? []) !== undefined));
    const page = pageOf("describe", list, (p) => p.name, NextToken, MaxResults ?? 50);
    return { Parameters: page.items.map((p) => metadataOut(ctx, p)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },
} satisfies Partial<SsmApi>;
