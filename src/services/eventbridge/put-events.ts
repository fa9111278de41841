// PutEvents: each entry checked on its own (an invalid one is a failed entry in a 200 answer, counted in
// FailedEntryCount), the request's size as AWS computes it ("Calculating PutEvents event entry size":
// Time 14 bytes when given, Source, DetailType, Detail and each Resources entry as UTF-8; at most 1 MB since AWS
// raised it from 256 KB — "More room to build: serverless services now support payloads up to 1 MB", AWS Compute
// Blog, 2026-01-29, for EventBridge event buses; 1 MiB as SQS's announcement of the same change counts it), and each
// accepted event, in AWS's envelope, matched against its bus's rules and stored for delivery before the answer.
import { randomUUID } from "node:crypto";
import type { EventbridgeApi, PutEventsRequestEntry, PutEventsResultEntry } from "./api.generated.js";
import { observeEvents } from "../schemas/internal.js";
import { ingest } from "./delivery.js";
import { mayPutEvents, resolveBus } from "./cross-account.js";
import { busNameOf, hostOf, transaction, ValidationException } from "./state.js";

export const MAX_REQUEST_BYTES = 1024 * 1024;

const utf8 = (s: string | undefined) => (s === undefined ? 0 : Buffer.byteLength(s, "utf8"));

/** An entry's size as AWS documents it. */
export function entrySize(e: PutEventsRequestEntry): number {
  let n = e.Time ? 14 : 0;
  n += utf8(e.Source) + utf8(e.DetailType) + utf8(e.Detail);
  for (const r of e.Resources ?? []) n += utf8(r);
  return n;
}

/** AWS's `time`: ISO 8601 in UTC to the second ("2019-10-02T17:04:40Z"). */
export const eventTime = (ms: number): string => new Date(ms - (ms % 1000)).toISOString().replace(/\.000Z$/, "Z");

const failed = (ErrorCode: string, ErrorMessage: string): PutEventsResultEntry => ({ ErrorCode, ErrorMessage });

export const putEvents = {
  putEvents(input, ctx) {
    const size = input.Entries.reduce((n, e) => n + entrySize(e), 0);
    if (size > MAX_REQUEST_BYTES) throw new ValidationException("Total size of the entries in the request is over the limit.");
    const host = hostOf(ctx);
    const now = ctx.now();
    const results: PutEventsResultEntry[] = [];
    transaction(ctx, () => {
      for (const e of input.Entries) {
        // In AWS's order of checks (moto's and LocalStack's AWS-recorded tests).
        if (!e.Source) results.push(failed("InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."));
        else if (!e.DetailType) results.push(failed("InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."));
        else if (!e.Detail) results.push(failed("InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."));
        else if (!isJsonObject(e.Detail)) results.push(failed("MalformedDetail", "Detail is malformed."));
        // Sources under aws. are AWS's own services' (an in-process call from one of Stratus's services may use them).
        else if (e.Source.startsWith("aws.") && !ctx.invokedBy) results.push(failed("NotAuthorizedForSourceException", "Not authorized for the source."));
        else {
          const to = host ? resolveBus(host, ctx.account, ctx.region, e.EventBusName) : undefined;
          if (!to) {
            results.push(failed("ResourceNotFoundException", `Event bus ${busNameOf(e.EventBusName)} does not exist.`)); // unverified: AWS's entry error for an unknown bus
            continue;
          }
          if (!mayPutEvents(to, ctx.principal)) {
            // unverified wording: another account's bus whose policy does not allow the sender
            results.push(failed("AccessDeniedException", `${ctx.principal.arn} is not authorized to perform: events:PutEvents on resource: ${to.bus.arn}`));
            continue;
          }
          const id = randomUUID();
          const event = {
            version: "0",
            id,
            "detail-type": e.DetailType,
            source: e.Source,
            account: ctx.account,
            time: eventTime(e.Time ? e.Time.getTime() : now),
            region: ctx.region,
            resources: e.Resources ?? [],
            detail: JSON.parse(e.Detail) as Record<string, unknown>,
          };
          if (host) ingest(host, to.account, to.region, to.bus.name, event, now);
          if (host) observeEvents(host, to.account, to.region, to.bus.arn, event);
          results.push({ EventId: id });
        }
      }
    });
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  },
} satisfies Partial<EventbridgeApi>;

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}
