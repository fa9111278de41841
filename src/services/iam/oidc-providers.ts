// IAM OpenID Connect identity providers: the issuers AssumeRoleWithWebIdentity trusts (sts/web-identity.ts), with
// their audiences (client ids), thumbprints and tags.
// AWS-recorded behaviour (LocalStack's tests/aws/services/iam/test_iam_oidc.snapshot.json, recorded 2026-02):
// a URL without a scheme is ValidationError "Invalid Open ID Connect Provider URL"; more than five thumbprints
// InvalidInput "Thumbprint list must contain fewer than 5 entries."; more than 100 client ids LimitExceeded
// "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100"; a second provider for the URL EntityAlreadyExists
// "Provider with url <url> already exists."; Get of a missing one NoSuchEntity "OpenIDConnect Provider not found for
// arn <arn>", Delete of a missing one "OpenId connect Provider <arn> cannot be found." (not idempotent); Get always
// lists Tags (empty too); more than 50 tags LimitExceeded "The number of tags has reached the maximum limit.".
import { ServiceError } from "../../core/errors.js";
import type { HandlerContext } from "../../core/context.js";
import type { IamApi, Tag } from "./api.generated.js";
import { EntityAlreadyExistsException, InvalidInputException, LimitExceededException, NoSuchEntityException } from "./api.generated.js";
import { page, removeTags, tagsMerged, toDate } from "./common.js";
import { oidcArn, oidcResource } from "./oidc-url.js";
import { type OidcProviderRec, tables } from "./state.js";

const MAX_CLIENT_IDS = 100;
const MAX_THUMBPRINTS = 5;
const ARN = /^arn:aws:iam::(\d{12}):oidc-provider\/(.+)$/;

const tooManyTags = () => new LimitExceededException("The number of tags has reached the maximum limit.");

function checkThumbprints(list: string[] | undefined) {
  if (!list) return;
  if (list.length > MAX_THUMBPRINTS) throw new InvalidInputException("Thumbprint list must contain fewer than 5 entries.");
  // The model allows any 40 characters; a thumbprint is the hex SHA-1 of a certificate. Wording unverified.
  for (const t of list) if (!/^[0-9a-fA-F]{40}$/.test(t)) throw new InvalidInputException(`Thumbprint ${t} is not a valid hexadecimal SHA-1 fingerprint.`);
}

function checkClientIds(list: string[]) {
  if (list.length > MAX_CLIENT_IDS) throw new LimitExceededException("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100");
}

/** The provider an ARN names in the caller's account, with its table key. */
function find(ctx: HandlerContext, arn: string): { key: string; rec: OidcProviderRec } | undefined {
  const m = ARN.exec(arn);
  if (!m || m[1] !== ctx.account) return undefined;
  const rec = tables(ctx).oidcProviders.get(m[2]);
  return rec ? { key: m[2], rec } : undefined;
}

function must(ctx: HandlerContext, arn: string) {
  const found = find(ctx, arn);
  if (!found) throw new NoSuchEntityException(`OpenIDConnect Provider not found for arn ${arn}`);
  return found;
}

const save = (ctx: HandlerContext, key: string, rec: OidcProviderRec) => tables(ctx).oidcProviders.put(key, rec);

export const oidcProviders = {
  createOpenIDConnectProvider({ Url, ClientIDList = [], ThumbprintList, Tags }, ctx) {
    const resource = oidcResource(Url);
    if (!resource) throw new ServiceError("ValidationError", "Invalid Open ID Connect Provider URL", 400);
    checkThumbprints(ThumbprintList);
    checkClientIds(ClientIDList);
    const rec: OidcProviderRec = {
      url: Url,
      clientIds: [...new Set(ClientIDList)],
      thumbprints: [...new Set(ThumbprintList ?? [])],
      createDate: ctx.now(),
      tags: tagsMerged([], Tags, tooManyTags),
    };
    if (!tables(ctx).oidcProviders.insert(resource, rec)) throw new EntityAlreadyExistsException(`Provider with url ${Url} already exists.`);
    return { OpenIDConnectProviderArn: oidcArn(ctx.account, resource), ...(rec.tags.length ? { Tags: rec.tags } : {}) };
  },

  getOpenIDConnectProvider({ OpenIDConnectProviderArn }, ctx) {
    const { key, rec } = must(ctx, OpenIDConnectProviderArn);
    // AWS answers the URL without its scheme.
    return { Url: key, ClientIDList: rec.clientIds, ThumbprintList: rec.thumbprints, CreateDate: toDate(rec.createDate), Tags: rec.tags };
  },

  listOpenIDConnectProviders(_input, ctx) {
    return {
      OpenIDConnectProviderList: tables(ctx)
        .oidcProviders.list()
        .map((e) => ({ Arn: oidcArn(ctx.account, e.key) })),
    };
  },

  deleteOpenIDConnectProvider({ OpenIDConnectProviderArn }, ctx) {
    const found = find(ctx, OpenIDConnectProviderArn);
    if (!found) throw new NoSuchEntityException(`OpenId connect Provider ${OpenIDConnectProviderArn} cannot be found.`);
    tables(ctx).oidcProviders.delete(found.key);
    return {};
  },

  addClientIDToOpenIDConnectProvider({ OpenIDConnectProviderArn, ClientID }, ctx) {
    const { key, rec } = must(ctx, OpenIDConnectProviderArn);
    if (rec.clientIds.includes(ClientID)) return {};
    const clientIds = [...rec.clientIds, ClientID];
    checkClientIds(clientIds);
    save(ctx, key, { ...rec, clientIds });
    return {};
  },

  removeClientIDFromOpenIDConnectProvider({ OpenIDConnectProviderArn, ClientID }, ctx) {
    const { key, rec } = must(ctx, OpenIDConnectProviderArn);
    save(ctx, key, { ...rec, clientIds: rec.clientIds.filter((c) => c !== ClientID) });
    return {};
  },

  updateOpenIDConnectProviderThumbprint({ OpenIDConnectProviderArn, ThumbprintList }, ctx) {
    const { key, rec } = must(ctx, OpenIDConnectProviderArn);
    checkThumbprints(ThumbprintList);
    save(ctx, key, { ...rec, thumbprints: [...new Set(ThumbprintList)] });
    return {};
  },

  tagOpenIDConnectProvider({ OpenIDConnectProviderArn, Tags }, ctx) {
    const { key, rec } = must(ctx, OpenIDConnectProviderArn);
    save(ctx, key, { ...rec, tags: tagsMerged(rec.tags, Tags, tooManyTags) });
    return {};
  },

  untagOpenIDConnectProvider({ OpenIDConnectProviderArn, TagKeys }, ctx) {
    const { key, rec } = must(ctx, OpenIDConnectProviderArn);
    save(ctx, key, { ...rec, tags: removeTags(rec.tags, TagKeys) });
    return {};
  },

  listOpenIDConnectProviderTags({ OpenIDConnectProviderArn, Marker, MaxItems }, ctx) {
    const { rec } = must(ctx, OpenIDConnectProviderArn);
    return tagPage(ctx, rec.tags, Marker, MaxItems);
  },
} satisfies Partial<IamApi>;

/** One page of a resource's tags, in the order they were added. */
export function tagPage(ctx: HandlerContext, tags: Tag[], marker: string | undefined, maxItems: number | undefined) {
  const p = page(
    ctx.operation,
    tags.map((tag, i) => ({ key: String(i).padStart(4, "0"), value: tag })),
    marker,
    maxItems,
  );
  return { Tags: p.items, IsTruncated: p.IsTruncated, Marker: p.Marker };
}
