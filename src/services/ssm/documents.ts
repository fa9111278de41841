// SSM documents: create (JSON, YAML, TEXT for change calendars), versions and the default version, describe, get with
// format conversion, list with filters, delete (a version or the document), sharing with accounts or everyone.
//
// Wording: AWS-recorded responses for these errors are not in LocalStack's snapshots; where the model's documentation of
// the error shape gives a sentence it is used, otherwise moto's (getmoto/moto moto/ssm/models.py), marked unverified.
import type { HandlerContext } from "../../core/context.js";
import { fingerprint, pageByKey } from "../../core/paging.js";
import {
  DocumentAlreadyExists,
  DocumentLimitExceeded,
  DocumentPermissionLimit,
  DocumentVersionLimitExceeded,
  DuplicateDocumentContent,
  DuplicateDocumentVersionName,
  InvalidDocument,
  InvalidDocumentContent,
  InvalidDocumentOperation,
  InvalidDocumentSchemaVersion,
  InvalidDocumentVersion,
  InvalidFilterKey,
  InvalidNextToken,
  ValidationException,
} from "./api.generated.js";
import type {
  DocumentDescription,
  DocumentFormat,
  DocumentIdentifier,
  DocumentKeyValuesFilter,
  DocumentType,
  DocumentVersionInfo,
  SsmApi,
} from "./api.generated.js";
import { AMAZON, awsDocuments } from "./aws-documents.js";
import { contentFacts, convertContent, parseContent, sha256 } from "./document-content.js";
import type { ContentFacts } from "./document-content.js";
import { ssmState } from "./state.js";
import type { DocRec, DocVersionRec } from "./state.js";

// "You can have at most 500 active SSM documents." (the model's documentation of DocumentLimitExceeded).
const MAX_DOCUMENTS = 500;
// Systems Manager quotas: 1,000 versions of one document (https://docs.aws.amazon.com/general/latest/gr/ssm.html).
export const MAX_DOCUMENT_VERSIONS = 1000;

const docs = (ctx: HandlerContext) => ssmState.of(ctx).documents;

export const notFound = () => new InvalidDocument("The specified document does not exist.");
const badVersion = () => new InvalidDocumentVersion("The document version is not valid or does not exist.");

/** A document the caller can read, and who owns it (an account id, or "Amazon"). */
export interface Readable {
  doc: DocRec;
  owner: string;
  own: boolean;
}

/**
 * The document a Name argument names: the caller's own, one of AWS's, or (by ARN) another account's document shared
 * with the caller or with everyone.
 */
export function findReadable(ctx: HandlerContext, nameOrArn: string): Readable | undefined {
  const m = /^arn:aws[a-z-]*:ssm:([^:]*):(\d{12})?:document\/(.+)$/.exec(nameOrArn);
  if (!m) {
    const own = docs(ctx).get(nameOrArn);
    if (own) return { doc: own, owner: ctx.account, own: true };
    const aws = awsDocuments().get(nameOrArn);
    return aws && { doc: aws, owner: AMAZON, own: false };
  }
  const [, region, account, name] = m;
  if (!account) {
    const aws = awsDocuments().get(name);
    return aws && { doc: aws, owner: AMAZON, own: false };
  }
  if (account === ctx.account && region === ctx.region) return findReadable(ctx, name);
  if (region !== ctx.region) return undefined;
  const other = ssmState.at(ctx, account, region).documents.get(name);
  if (!other || !other.shares.some((s) => s.accountId === "all" || s.accountId === ctx.account)) return undefined;
  return { doc: other, owner: account, own: false };
}

function mustReadable(ctx: HandlerContext, nameOrArn: string): Readable {
  const r = findReadable(ctx, nameOrArn);
  if (!r) throw notFound();
  return r;
}

/** The caller's own document (writes never reach AWS's or another account's). */
function mustOwn(ctx: HandlerContext, name: string): DocRec {
  const d = docs(ctx).get(name);
  if (!d) throw notFound();
  return d;
}

const latest = (d: DocRec) => d.versions[d.versions.length - 1];
const defaultOf = (d: DocRec) => d.versions.find((v) => v.version === d.defaultVersion) ?? latest(d);

/** The version DocumentVersion ($LATEST, $DEFAULT, a number) and/or VersionName select; the default when neither. */
export function pickVersion(d: DocRec, documentVersion: string | undefined, versionName: string | undefined): DocVersionRec {
  let v: DocVersionRec | undefined;
  if (documentVersion === "$LATEST") v = latest(d);
  else if (documentVersion === undefined || documentVersion === "$DEFAULT") v = versionName === undefined || documentVersion ? defaultOf(d) : undefined;
  else v = d.versions.find((x) => String(x.version) === documentVersion);
  if (versionName !== undefined)
    v = documentVersion === undefined ? d.versions.find((x) => x.versionName === versionName) : v?.versionName === versionName ? v : undefined;
  if (!v) throw notFound();
  return v;
}

function describe(d: DocRec, v: DocVersionRec, owner: string, status: DocumentDescription["Status"] = "Active"): DocumentDescription {
  return {
    Hash: v.hash,
    HashType: "Sha256",
    Name: d.name,
    ...(v.displayName !== undefined ? { DisplayName: v.displayName } : {}),
    ...(v.versionName !== undefined ? { VersionName: v.versionName } : {}),
    Owner: owner,
    CreatedDate: new Date(v.created),
    Status: status,
    DocumentVersion: String(v.version),
    ...(v.facts.description !== undefined ? { Description: v.facts.description } : {}),
    Parameters: v.facts.parameters,
    PlatformTypes: v.facts.platformTypes,
    DocumentType: d.type,
    SchemaVersion: v.facts.schemaVersion,
    LatestVersion: String(latest(d).version),
    DefaultVersion: String(d.defaultVersion),
    DocumentFormat: v.format,
    ...(v.targetType !== undefined ? { TargetType: v.targetType } : {}),
    Tags: d.tags,
    ...(v.requires?.length ? { Requires: v.requires } : {}),
  };
}

function identifier(r: Readable): DocumentIdentifier {
  const v = defaultOf(r.doc);
  return {
    Name: r.doc.name,
    CreatedDate: new Date(r.doc.created),
    ...(v.displayName !== undefined ? { DisplayName: v.displayName } : {}),
    Owner: r.owner,
    ...(v.versionName !== undefined ? { VersionName: v.versionName } : {}),
    PlatformTypes: v.facts.platformTypes,
    DocumentVersion: String(v.version),
    DocumentType: r.doc.type,
    SchemaVersion: v.facts.schemaVersion,
    DocumentFormat: v.format,
    ...(v.targetType !== undefined ? { TargetType: v.targetType } : {}),
    Tags: r.doc.tags,
    ...(v.requires?.length ? { Requires: v.requires } : {}),
  };
}

/** Content and its facts for a new version: JSON or YAML parsed; TEXT only for change calendars (iCalendar content). */
function readContent(content: string, format: DocumentFormat, type: DocumentType): ContentFacts {
  if (format === "TEXT") {
    if (type !== "ChangeCalendar" || !/^BEGIN:VCALENDAR/m.test(content)) throw new InvalidDocumentContent("The content for the document is not valid.");
    // A change calendar is an iCalendar file; AWS reports it with schema version 2.0 (unverified).
    return { schemaVersion: "2.0", parameters: [], platformTypes: [], declared: {} };
  }
  return contentFacts(parseContent(content, format), type);
}

// Names AWS keeps for its own documents: "aws-", "amazon", "amzn", in any case
// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateDocument.html, Name). The wording is
// moto's (moto/ssm/models.py _validate_document_info); unverified.
const RESERVED = /^(aws-|amazon|amzn)/i;

export const documents = {
  createDocument(input, ctx) {
    const { Content, Name } = input;
    if (RESERVED.test(Name)) throw new ValidationException(`Invalid document name ${Name}`);
    const type = input.DocumentType ?? "Command";
    const format = input.DocumentFormat ?? "JSON";
    const facts = readContent(Content, format, type);
    const table = docs(ctx);
    if (table.has(Name)) throw new DocumentAlreadyExists("The specified document already exists.");
    if (table.count() >= MAX_DOCUMENTS) throw new DocumentLimitExceeded("You can have at most 500 active SSM documents.");
    const now = ctx.now();
    const v: DocVersionRec = {
      version: 1,
      ...(input.VersionName !== undefined ? { versionName: input.VersionName } : {}),
      ...(input.DisplayName !== undefined ? { displayName: input.DisplayName } : {}),
      content: Content,
      format,
      ...(input.TargetType !== undefined ? { targetType: input.TargetType } : {}),
      ...(input.Requires?.length ? { requires: input.Requires } : {}),
      created: now,
      hash: sha256(Content),
      facts,
    };
    const d: DocRec = { name: Name, type, created: now, tags: input.Tags ?? [], versions: [v], defaultVersion: 1, nextVersion: 2, shares: [] };
    table.put(Name, d);
    // AWS answers while the document is still being created ("Status": "Creating" in awscli/examples/ssm/create-document.rst);
    // it is Active when anyone asks next.
    return { DocumentDescription: describe(d, v, ctx.account, "Creating") };
  },

  describeDocument({ Name, DocumentVersion, VersionName }, ctx) {
    const r = mustReadable(ctx, Name);
    return { Document: describe(r.doc, pickVersion(r.doc, DocumentVersion, VersionName), r.owner) };
  },

  getDocument({ Name, DocumentVersion, VersionName, DocumentFormat }, ctx) {
    const { doc } = mustReadable(ctx, Name);
    const v = pickVersion(doc, DocumentVersion, VersionName);
    const format = DocumentFormat ?? v.format;
    return {
      Name: doc.name,
      CreatedDate: new Date(v.created),
      ...(v.displayName !== undefined ? { DisplayName: v.displayName } : {}),
      ...(v.versionName !== undefined ? { VersionName: v.versionName } : {}),
      DocumentVersion: String(v.version),
      Status: "Active",
      Content: convertContent(v.content, v.format, format),
      DocumentType: doc.type,
      DocumentFormat: format,
      ...(v.requires?.length ? { Requires: v.requires } : {}),
    };
  },

  updateDocument(input, ctx) {
    const d = mustOwn(ctx, input.Name);
    const last = latest(d);
    // Only the latest version can be updated: name it by number or $LATEST, or not at all.
    if (input.DocumentVersion !== undefined && input.DocumentVersion !== "$LATEST" && input.DocumentVersion !== String(last.version)) throw badVersion();
    const format = input.DocumentFormat ?? "JSON";
    const facts = readContent(input.Content, format, d.type);
    // "Only documents with a schema version of 2.0 or greater can update their content"
    // (https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-schemas-features.html). Wording unverified.
    if (facts.schemaVersion === "1.2" || defaultOf(d).facts.schemaVersion === "1.2") {
      throw new InvalidDocumentSchemaVersion("Documents with schema version 1.2 can't be updated. Use schema version 2.0 or later.");
    }
    if (input.VersionName !== undefined && d.versions.some((v) => v.versionName === input.VersionName)) {
      throw new DuplicateDocumentVersionName("The specified version name is a duplicate.");
    }
    const hash = sha256(input.Content);
    if (d.versions.some((v) => v.hash === hash)) {
      throw new DuplicateDocumentContent("The content of the association document matches another document. Change the content of the document and try again.");
    }
    if (d.versions.length >= MAX_DOCUMENT_VERSIONS) {
      // The model's documentation of DocumentVersionLimitExceeded.
      throw new DocumentVersionLimitExceeded("The document has too many versions. Delete one or more document versions and try again.");
    }
    const v: DocVersionRec = {
      version: d.nextVersion,
      ...(input.VersionName !== undefined ? { versionName: input.VersionName } : {}),
      ...((input.DisplayName ?? last.displayName) !== undefined ? { displayName: input.DisplayName ?? last.displayName } : {}),
      content: input.Content,
      format,
      ...((input.TargetType ?? last.targetType) !== undefined ? { targetType: input.TargetType ?? last.targetType } : {}),
      ...(last.requires ? { requires: last.requires } : {}),
      created: ctx.now(),
      hash,
      facts,
    };
    d.versions.push(v);
    d.nextVersion++;
    docs(ctx).put(d.name, d);
    // "Status": "Updating", as in awscli/examples/ssm/update-document.rst.
    return { DocumentDescription: describe(d, v, ctx.account, "Updating") };
  },

  updateDocumentDefaultVersion({ Name, DocumentVersion }, ctx) {
    const d = mustOwn(ctx, Name);
    const v =
      DocumentVersion === "$LATEST" ? latest(d) : DocumentVersion === "$DEFAULT" ? defaultOf(d) : d.versions.find((x) => String(x.version) === DocumentVersion);
    if (!v) throw badVersion();
    d.defaultVersion = v.version;
    docs(ctx).put(d.name, d);
    return { Description: { Name: d.name, DefaultVersion: String(v.version), ...(v.versionName !== undefined ? { DefaultVersionName: v.versionName } : {}) } };
  },

  listDocumentVersions({ Name, MaxResults, NextToken }, ctx) {
    const { doc } = mustReadable(ctx, Name);
    const page = pageByKey(doc.versions, (v) => String(v.version).padStart(12, "0"), {
      operation: "ListDocumentVersions",
      token: NextToken,
      max: MaxResults ?? 50,
      bind: fingerprint([doc.name]),
      invalid: () => new InvalidNextToken("The specified token is not valid."),
    });
    const out: DocumentVersionInfo[] = page.items.map((v) => ({
      Name: doc.name,
      ...(v.displayName !== undefined ? { DisplayName: v.displayName } : {}),
      DocumentVersion: String(v.version),
      ...(v.versionName !== undefined ? { VersionName: v.versionName } : {}),
      CreatedDate: new Date(v.created),
      IsDefaultVersion: v.version === doc.defaultVersion,
      DocumentFormat: v.format,
      Status: "Active",
    }));
    return { DocumentVersions: out, ...(page.next ? { NextToken: page.next } : {}) };
  },

  listDocuments({ DocumentFilterList, Filters, MaxResults, NextToken }, ctx) {
    // The older DocumentFilterList (one value per filter) and Filters (DocumentKeyValuesFilter) select alike.
    const filters: DocumentKeyValuesFilter[] = [...(DocumentFilterList ?? []).map((f) => ({ Key: f.key, Values: [f.value] })), ...(Filters ?? [])];
    const ownerFilter = filters.find((f) => f.Key === "Owner");
    if (ownerFilter && (ownerFilter.Values?.length ?? 0) !== 1) {
      // moto's wording (moto/ssm/models.py _document_filter_match); unverified.
      throw new ValidationException("Owner filter can only have one value.");
    }
    for (const f of filters) {
      if (!f.Key || (!KNOWN_KEYS.includes(f.Key) && !f.Key.startsWith("tag:"))) {
        // Unverified wording.
        throw new InvalidFilterKey(`The following filter key is not valid: ${f.Key ?? ""}.`);
      }
    }
    const owner = ownerFilter?.Values?.[0];
    const candidates = readableDocuments(ctx, owner).filter((r) => filters.every((f) => matches(r, f)));
    candidates.sort((a, b) => (a.doc.name < b.doc.name ? -1 : a.doc.name > b.doc.name ? 1 : a.owner < b.owner ? -1 : 1));
    const page = pageByKey(candidates, (r) => `${r.doc.name}\u0000${r.owner}`, {
      operation: "ListDocuments",
      token: NextToken,
      max: MaxResults ?? 50,
      bind: fingerprint([filters]),
      invalid: () => new InvalidNextToken("The specified token is not valid."),
    });
    return { DocumentIdentifiers: page.items.map(identifier), ...(page.next ? { NextToken: page.next } : {}) };
  },

  deleteDocument({ Name, DocumentVersion, VersionName }, ctx) {
    const d = mustOwn(ctx, Name);
    if (d.shares.length) {
      // The model's documentation of InvalidDocumentOperation.
      throw new InvalidDocumentOperation(
        "You attempted to delete a document while it is still shared. You must stop sharing the document before you can delete it.",
      );
    }
    if (DocumentVersion === undefined && VersionName === undefined) {
      docs(ctx).delete(d.name);
      return {};
    }
    const v = pickVersion(d, DocumentVersion, VersionName);
    // moto's wording (moto/ssm/models.py delete_document); unverified.
    if (v.version === d.defaultVersion) throw new InvalidDocumentOperation("Default version of the document can't be deleted.");
    d.versions = d.versions.filter((x) => x !== v);
    docs(ctx).put(d.name, d);
    return {};
  },

  describeDocumentPermission({ Name, MaxResults, NextToken }, ctx) {
    const d = mustOwn(ctx, Name);
    const page = pageByKey(d.shares, (s) => s.accountId, {
      operation: "DescribeDocumentPermission",
      token: NextToken,
      max: MaxResults ?? 200,
      bind: fingerprint([d.name]),
      invalid: () => new InvalidNextToken("The specified token is not valid."),
    });
    return {
      AccountIds: page.items.map((s) => s.accountId),
      AccountSharingInfoList: page.items.map((s) => ({ AccountId: s.accountId, SharedDocumentVersion: s.version })),
      ...(page.next ? { NextToken: page.next } : {}),
    };
  },

  modifyDocumentPermission({ Name, AccountIdsToAdd = [], AccountIdsToRemove = [], SharedDocumentVersion }, ctx) {
    // The model's pattern "(?i)all|[0-9]{12}" carries an inline flag the generic validator cannot read; checked here
    // with moto's wording (moto/ssm/models.py modify_document_permission), unverified.
    for (const [ids, member] of [
      [AccountIdsToAdd, "accountIdsToAdd"],
      [AccountIdsToRemove, "accountIdsToRemove"],
    ] as const) {
      for (const id of ids) {
        if (!/^(all|[0-9]{12})$/i.test(id)) {
          throw new ValidationException(
            `Value '[${id}]' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: (?i)all|[0-9]{12}.`,
          );
        }
      }
    }
    // Public sharing is listed as "all" (awscli/examples/ssm/describe-document-permission.rst).
    const norm = (ids: string[]) => ids.map((id) => (id.toLowerCase() === "all" ? "all" : id));
    const add = norm(AccountIdsToAdd);
    const remove = norm(AccountIdsToRemove);
    // moto's wording (moto/ssm/models.py modify_document_permission); unverified.
    if ((add.includes("all") && add.length > 1) || (remove.includes("all") && remove.length > 1)) {
      throw new DocumentPermissionLimit("Accounts can either be all or a group of AWS accounts");
    }
    const d = mustOwn(ctx, Name);
    if (
      SharedDocumentVersion !== undefined &&
      SharedDocumentVersion !== "$DEFAULT" &&
      SharedDocumentVersion !== "$LATEST" &&
      SharedDocumentVersion !== "$ALL"
    ) {
      throw badVersion();
    }
    const version = SharedDocumentVersion ?? "$DEFAULT";
    let shares = d.shares.filter((s) => !remove.includes(s.accountId) && !(remove.includes("all") && s.accountId === "all"));
    // Public and per-account sharing exclude each other: sharing with everyone replaces the list, and the reverse.
    if (add.includes("all")) shares = [];
    else if (add.length) shares = shares.filter((s) => s.accountId !== "all");
    for (const id of add) {
      const i = shares.findIndex((s) => s.accountId === id);
      if (i >= 0) shares[i] = { accountId: id, version };
      else shares.push({ accountId: id, version });
    }
    d.shares = shares;
    docs(ctx).put(d.name, d);
    return {};
  },
} satisfies Partial<SsmApi>;

const KNOWN_KEYS = ["Name", "Owner", "PlatformTypes", "DocumentType", "TargetType", "SearchKeyword"];

/** Every document the caller may list for an Owner filter value (none: its own, AWS's and those shared with it). */
function readableDocuments(ctx: HandlerContext, owner: string | undefined): Readable[] {
  const own = (): Readable[] =>
    docs(ctx)
      .list()
      .map(({ value }) => ({ doc: value, owner: ctx.account, own: true }));
  const amazon = (): Readable[] => [...awsDocuments().values()].map((doc) => ({ doc, owner: AMAZON, own: false }));
  const shared = (publicOnes: boolean): Readable[] => {
    const out: Readable[] = [];
    for (const { account, region, tables } of ssmState.all(ctx, "documents")) {
      if (account === ctx.account || region !== ctx.region) continue;
      for (const { value } of tables.documents.list()) {
        const hit = value.shares.some((s) => (publicOnes ? s.accountId === "all" : s.accountId === ctx.account));
        if (hit) out.push({ doc: value, owner: account, own: false });
      }
    }
    return out;
  };
  switch (owner) {
    case undefined:
      return [...own(), ...amazon(), ...shared(false)];
    case "Self":
      return own();
    case "Amazon":
      return amazon();
    case "Private":
      return shared(false);
    case "Public":
      return shared(true);
    case "All":
      return [...own(), ...amazon(), ...shared(false), ...shared(true).filter((r) => !r.doc.shares.some((s) => s.accountId === ctx.account))];
    default:
      // ThirdParty (Marketplace publishers) and anything else: no such documents here.
      return [];
  }
}

function matches(r: Readable, f: DocumentKeyValuesFilter): boolean {
  const values = f.Values ?? [];
  const v = defaultOf(r.doc);
  switch (f.Key) {
    case "Owner":
      return true;
    case "Name":
      // "If you use Name as a key, you can use a name prefix" (API_DocumentKeyValuesFilter).
      return values.some((x) => r.doc.name.startsWith(x));
    case "SearchKeyword":
      return values.some((x) => r.doc.name.toLowerCase().includes(x.toLowerCase()));
    case "DocumentType":
      return values.includes(r.doc.type);
    case "PlatformTypes":
      return values.some((x) => v.facts.platformTypes.includes(x as (typeof v.facts.platformTypes)[number]));
    case "TargetType":
      return v.targetType !== undefined && values.includes(v.targetType);
    default: {
      const key = (f.Key ?? "").slice(4);
      const tag = r.doc.tags.find((t) => t.Key === key);
      return !!tag && (values.length === 0 || values.includes(tag.Value));
    }
  }
}
