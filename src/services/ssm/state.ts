// SSM Parameter Store records (per account+region), name/selector parsing, ARNs, outputs and opaque paging tokens.
import { regionalArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { pageByKey } from "../../core/paging.js";
import { defineState, regional, STORE, type StateHolder } from "../../core/state.js";
import type { Table } from "../../core/store/types.js";
import { InvalidNextToken, ParameterNotFound, ParameterVersionNotFound } from "./api.generated.js";
import type {
  DocumentFormat,
  DocumentRequires,
  DocumentType,
  Parameter,
  ParameterHistory,
  ParameterInlinePolicy,
  ParameterMetadata,
  ParameterTier,
  ParameterType,
  Tag,
} from "./api.generated.js";
import type { ContentFacts } from "./document-content.js";

export interface VersionRec {
  version: number;
  type: ParameterType;
  /** Plain text for String/StringList; for SecureString the KMS ciphertext, base64 (the plaintext is never stored). */
  value: string;
  keyId?: string;
  description?: string;
  allowedPattern?: string;
  tier: ParameterTier;
  dataType: string;
  policies: ParameterInlinePolicy[];
  labels: string[];
  modified: number;
  user: string;
}

export interface ParamRec {
  name: string;
  tags: Tag[];
  /** Oldest first; the last one is the current version. At most 100 are kept. */
  versions: VersionRec[];
}

export const MAX_VERSIONS = 100;

/** One version of an SSM document: its content as sent, and what the content says about itself. */
export interface DocVersionRec {
  version: number;
  versionName?: string;
  displayName?: string;
  content: string;
  format: DocumentFormat;
  targetType?: string;
  requires?: DocumentRequires[];
  created: number;
  hash: string;
  facts: ContentFacts;
}

/** An SSM document of the account (documents owned by AWS are constants, never stored). */
export interface DocRec {
  name: string;
  type: DocumentType;
  created: number;
  tags: Tag[];
  /** Oldest first. */
  versions: DocVersionRec[];
  defaultVersion: number;
  /** The number the next UpdateDocument gets (versions only grow, even after one is deleted). */
  nextVersion: number;
  /** Accounts the document is shared with ("all" for public), each with the version shared. */
  shares: { accountId: string; version: string }[];
}

/** SSM's tables (stored as ssm:<name>, per account and region). */
export const ssmState = defineState("ssm", { parameters: regional<ParamRec>(), documents: regional<DocRec>() });

export const params = (ctx: HandlerContext): Table<ParamRec> => ssmState.of(ctx).parameters;

/** Runs fn atomically in the store (all of its writes commit together or none). */
export { transaction } from "../../core/state.js";

export const current = (p: ParamRec): VersionRec => p.versions[p.versions.length - 1];

/** arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash> */
export const parameterArn = (ctx: HandlerContext, name: string) => regionalArn(ctx, "ssm", `parameter/${name.replace(/^\//, "")}`);

/** A Name argument may be the name or the parameter's ARN; both spell the same stored record. */
export function findParam(ctx: HandlerContext, nameOrArn: string): ParamRec | undefined {
  const t = params(ctx);
  const m = /^arn:aws[a-z-]*:ssm:[^:]*:[^:]*:parameter\/(.+)$/.exec(nameOrArn);
  if (!m) return t.get(nameOrArn);
  // The ARN drops the leading slash, so "/a/b" and "a/b" share it: a hierarchical name always has one.
  return m[1].includes("/") ? t.get(`/${m[1]}`) : (t.get(m[1]) ?? t.get(`/${m[1]}`));
}

export interface Selected {
  param: ParamRec;
  version: VersionRec;
  /** ":3" or ":label" when the caller selected one. */
  selector?: string;
}

/** Splits "name:selector" (the selector is the part after the last colon that is not part of an ARN). */
export function splitSelector(raw: string): { name: string; selector?: string } {
  const arnPrefix = /^arn:aws[a-z-]*:ssm:[^:]*:[^:]*:/.exec(raw)?.[0] ?? "";
  const rest = raw.slice(arnPrefix.length);
  const i = rest.lastIndexOf(":");
  if (i < 0) return { name: raw };
  return { name: arnPrefix + rest.slice(0, i), selector: rest.slice(i + 1) };
}

/** Resolves `name`, `name:version` or `name:label`, failing as AWS fails. */
export function select(ctx: HandlerContext, raw: string): Selected {
  const { name, selector } = splitSelector(raw);
  const param = findParam(ctx, name);
  if (!param) throw new ParameterNotFound(`Parameter ${name} not found.`);
  if (selector === undefined) return { param, version: current(param) };
  if (/^\d+$/.test(selector)) {
    const version = param.versions.find((v) => v.version === Number(selector));
    if (!version) throw new ParameterVersionNotFound(`Systems Manager could not find version ${selector} of ${name}. Verify the version and try again.`);
    return { param, version, selector: `:${selector}` };
  }
  const version = param.versions.find((v) => v.labels.includes(selector));
  if (!version) throw new ParameterVersionNotFound(`Systems Manager could not find version ${selector} of ${name}. Verify the version and try again.`);
  return { param, version, selector: `:${selector}` };
}

export const parameterOut = (ctx: HandlerContext, p: ParamRec, v: VersionRec, value: string, selector?: string): Parameter => ({
  Name: p.name,
  Type: v.type,
  Value: value,
  Version: v.version,
  ...(selector ? { Selector: selector } : {}),
  LastModifiedDate: new Date(v.modified),
  ARN: parameterArn(ctx, p.name),
  DataType: v.dataType,
});

export const metadataOut = (ctx: HandlerContext, p: ParamRec): ParameterMetadata => {
  const v = current(p);
  return {
    Name: p.name,
    ARN: parameterArn(ctx, p.name),
    Type: v.type,
    ...(v.keyId ? { KeyId: v.keyId } : {}),
    LastModifiedDate: new Date(v.modified),
    LastModifiedUser: v.user,
    ...(v.description !== undefined ? { Description: v.description } : {}),
    ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
    Version: v.version,
    Tier: v.tier,
    Policies: v.policies,
    DataType: v.dataType,
  };
};

export const historyOut = (p: ParamRec, v: VersionRec, value: string): ParameterHistory => ({
  Name: p.name,
  Type: v.type,
  ...(v.keyId ? { KeyId: v.keyId } : {}),
  LastModifiedDate: new Date(v.modified),
  LastModifiedUser: v.user,
  ...(v.description !== undefined ? { Description: v.description } : {}),
  Value: value,
  ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
  Version: v.version,
  Labels: v.labels,
  Tier: v.tier,
  Policies: v.policies,
  DataType: v.dataType,
});

/** A page of items after the token's key, at most `max`; the token (core/paging's) names the last key returned, bound to `op`. */
export function pageOf<T>(op: string, items: T[], key: (t: T) => string, token: string | undefined, max: number): { items: T[]; NextToken?: string } {
  const page = pageByKey(items, key, { operation: op, token, max, invalid: () => new InvalidNextToken("The nextToken is not valid.") });
  return { items: page.items, ...(page.next !== undefined ? { NextToken: page.next } : {}) };
}
