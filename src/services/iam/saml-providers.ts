// IAM SAML identity providers: the IdPs AssumeRoleWithSAML trusts (sts/saml.ts), their metadata and tags.
// AWS-recorded behaviour (LocalStack's tests/aws/services/iam/test_iam_saml_providers.snapshot.json, recorded
// 2026-02-13): Get answers SAMLProviderUUID, SAMLMetadataDocument, CreateDate, ValidUntil, Tags (empty too),
// AssertionEncryptionMode "Allowed" and PrivateKeyList []; Get/Delete of a missing provider is NoSuchEntity "Manifest
// not found for arn <arn>"; Update answers the ARN. Metadata that is not XML with an EntityDescriptor (and entityID)
// is InvalidInput "Could not parse metadata" (AWS's wording as users report it; unverified in recorded material);
// a second provider of the same name EntityAlreadyExists (wording unverified). ValidUntil is the metadata's
// validUntil, else 100 years after creation (unverified).
import { randomBytes } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import type { IamApi } from "./api.generated.js";
import { EntityAlreadyExistsException, InvalidInputException, LimitExceededException, NoSuchEntityException } from "./api.generated.js";
import { iamArn, removeTags, tagsMerged, toDate } from "./common.js";
import { tagPage } from "./oidc-providers.js";
import { readMetadata } from "./saml-xml.js";
import { type SamlProviderRec, tables } from "./state.js";

const ARN = /^arn:aws:iam::(\d{12}):saml-provider\/([\w.-]+)$/;
const HUNDRED_YEARS_MS = 100 * 365.25 * 24 * 3600_000;
const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

const samlArn = (account: string, name: string) => iamArn(account, "saml-provider", "/", name);
const tooManyTags = () => new LimitExceededException("The number of tags has reached the maximum limit.");

function validUntilOf(metadata: string, now: number): number {
  const parsed = readMetadata(metadata);
  if (!parsed) throw new InvalidInputException("Could not parse metadata");
  const until = parsed.validUntil ? Date.parse(parsed.validUntil) : Number.NaN;
  return Number.isNaN(until) ? now + HUNDRED_YEARS_MS : until;
}

function must(ctx: HandlerContext, arn: string): { key: string; rec: SamlProviderRec } {
  const m = ARN.exec(arn);
  const rec = m && m[1] === ctx.account ? tables(ctx).samlProviders.get(m[2]) : undefined;
  if (!m || !rec) throw new NoSuchEntityException(`Manifest not found for arn ${arn}`);
  return { key: m[2], rec };
}

const save = (ctx: HandlerContext, key: string, rec: SamlProviderRec) => tables(ctx).samlProviders.put(key, rec);

export const samlProviders = {
  createSAMLProvider({ Name, SAMLMetadataDocument, Tags, AssertionEncryptionMode }, ctx) {
    const now = ctx.now();
    const rec: SamlProviderRec = {
      name: Name,
      metadata: SAMLMetadataDocument,
      uuid: [...randomBytes(26)].map((b) => UPPER_ALNUM[b % UPPER_ALNUM.length]).join(""),
      createDate: now,
      validUntil: validUntilOf(SAMLMetadataDocument, now),
      assertionEncryptionMode: AssertionEncryptionMode ?? "Allowed",
      tags: tagsMerged([], Tags, tooManyTags),
    };
    if (!tables(ctx).samlProviders.insert(Name, rec)) throw new EntityAlreadyExistsException(`SAMLProvider ${Name} already exists.`);
    return { SAMLProviderArn: samlArn(ctx.account, Name), ...(rec.tags.length ? { Tags: rec.tags } : {}) };
  },

  getSAMLProvider({ SAMLProviderArn }, ctx) {
    const { rec } = must(ctx, SAMLProviderArn);
    return {
      SAMLProviderUUID: rec.uuid,
      SAMLMetadataDocument: rec.metadata,
      CreateDate: toDate(rec.createDate),
      ValidUntil: toDate(rec.validUntil),
      Tags: rec.tags,
      AssertionEncryptionMode: rec.assertionEncryptionMode,
      PrivateKeyList: [],
    };
  },

  updateSAMLProvider({ SAMLProviderArn, SAMLMetadataDocument, AssertionEncryptionMode }, ctx) {
    const { key, rec } = must(ctx, SAMLProviderArn);
    const next = { ...rec, assertionEncryptionMode: AssertionEncryptionMode ?? rec.assertionEncryptionMode };
    if (SAMLMetadataDocument !== undefined) {
      next.metadata = SAMLMetadataDocument;
      next.validUntil = validUntilOf(SAMLMetadataDocument, ctx.now());
    }
    save(ctx, key, next);
    return { SAMLProviderArn };
  },

  deleteSAMLProvider({ SAMLProviderArn }, ctx) {
    const { key } = must(ctx, SAMLProviderArn);
    tables(ctx).samlProviders.delete(key);
    return {};
  },

  listSAMLProviders(_input, ctx) {
    return {
      SAMLProviderList: tables(ctx)
        .samlProviders.list()
        .map((e) => ({ Arn: samlArn(ctx.account, e.key), ValidUntil: toDate(e.value.validUntil), CreateDate: toDate(e.value.createDate) })),
    };
  },

  tagSAMLProvider({ SAMLProviderArn, Tags }, ctx) {
    const { key, rec } = must(ctx, SAMLProviderArn);
    save(ctx, key, { ...rec, tags: tagsMerged(rec.tags, Tags, tooManyTags) });
    return {};
  },

  untagSAMLProvider({ SAMLProviderArn, TagKeys }, ctx) {
    const { key, rec } = must(ctx, SAMLProviderArn);
    save(ctx, key, { ...rec, tags: removeTags(rec.tags, TagKeys) });
    return {};
  },

  listSAMLProviderTags({ SAMLProviderArn, Marker, MaxItems }, ctx) {
    return tagPage(ctx, must(ctx, SAMLProviderArn).rec.tags, Marker, MaxItems);
  },
} satisfies Partial<IamApi>;
