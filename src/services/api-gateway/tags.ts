// TagResource / UntagResource / GetTags on API Gateway's ARNs, which carry no account:
// arn:aws:apigateway:<region>::/restapis/<id>, …/restapis/<id>/stages/<name>, and the API keys and usage plans
// whose records hold tags here (…::/apikeys/<id>, …::/usageplans/<id>). The caller's account and region hold them.
import type { HandlerContext } from "../../core/context.js";
import { mergeTags, removeTags } from "../../core/tags.js";
import { BadRequestException, NotFoundException } from "./api.generated.js";
import type { ApiGatewayApi } from "./api.generated.js";
import { tables } from "./state.js";

type Tagged = { tags: Record<string, string> };
interface Target {
  read(): Tagged | undefined;
  write(tags: Record<string, string>): void;
}

// unverified wording for the refusals below
const badArn = (arn: string) => new BadRequestException(`Invalid ARN specified in the request: ${arn}`);
const notFound = () => new NotFoundException("Invalid resource identifier specified");

function targetOf(ctx: HandlerContext, arn: string): Target {
  const m = /^arn:[a-z-]+:apigateway:([a-z0-9-]+)::(\/.+)$/.exec(arn);
  if (!m) throw badArn(arn);
  if (m[1] !== ctx.region) throw notFound();
  const path = m[2];
  const t = tables(ctx);
  const of = <T extends Tagged>(table: { get(k: string): T | undefined; put(k: string, v: T): void }, key: string): Target => ({
    read: () => table.get(key),
    write(tags) {
      const rec = table.get(key);
      if (rec) table.put(key, { ...rec, tags });
    },
  });
  let p: RegExpExecArray | null;
  if ((p = /^\/restapis\/([^/]+)$/.exec(path))) return of(t.apis, p[1]);
  if ((p = /^\/restapis\/([^/]+)\/stages\/([^/]+)$/.exec(path))) return of(t.stages, `${p[1]}/${p[2]}`);
  if ((p = /^\/apikeys\/([^/]+)$/.exec(path))) return of(t.apiKeys, p[1]);
  if ((p = /^\/usageplans\/([^/]+)$/.exec(path))) return of(t.usagePlans, p[1]);
  throw badArn(arn);
}

function require(ctx: HandlerContext, arn: string): { target: Target; rec: Tagged } {
  const target = targetOf(ctx, arn);
  const rec = target.read();
  if (!rec) throw notFound();
  return { target, rec };
}

// AWS's limit of 50 tags per resource; the wording of its refusals is unverified.
const MAX_TAGS = 50;

export const tags = {
  tagResource(input, ctx) {
    const { target, rec } = require(ctx, input.resourceArn);
    const merged = mergeTags(Object.entries(rec.tags ?? {}), Object.entries(input.tags ?? {}), {
      key: (t) => t[0],
      duplicates: "last",
      reserved: { prefix: "aws:", ignoreCase: true, error: () => new BadRequestException("Tag keys cannot start with 'aws:'"), invokedBy: ctx.invokedBy },
      max: MAX_TAGS,
      tooMany: () => new BadRequestException(`Too many tags: a resource can have at most ${MAX_TAGS} tags`),
    });
    target.write(Object.fromEntries(merged));
    return {};
  },

  untagResource(input, ctx) {
    const { target, rec } = require(ctx, input.resourceArn);
    target.write(Object.fromEntries(removeTags(Object.entries(rec.tags ?? {}), input.tagKeys ?? [], (t) => t[0])));
    return {};
  },

  getTags(input, ctx) {
    return { tags: require(ctx, input.resourceArn).rec.tags ?? {} };
  },
} satisfies Partial<ApiGatewayApi>;
