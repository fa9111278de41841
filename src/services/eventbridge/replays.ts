// Replays: StartReplay, DescribeReplay, ListReplays, CancelReplay, and the worker that replays. A replay goes through
// its archive's events (ingested between EventStartTime and EventEndTime, oldest first) a batch at a time; each event
// gets `"replay-name": <name>` in its envelope and goes to the destination bus's rules — only those in FilterArns
// when given (AWS: "Replaying archived events in Amazon EventBridge") — never to an archive's rule, whose pattern
// refuses a replay-name. Each batch's deliveries, its cursor and EventLastReplayedTime commit in one transaction, so a
// replay interrupted by kill -9 resumes where it stopped, nothing delivered twice. States as AWS's: STARTING → RUNNING
// → COMPLETED; CancelReplay → CANCELLING → CANCELLED. Wordings: moto's, from AWS's recorded answers.
import { regionalArn } from "../../core/arn.js";
import { pageByKey } from "../../core/paging.js";
import type { ServiceHost } from "../../core/service.js";
import {
  IllegalStatusException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  type EventbridgeApi,
  type Replay,
  type ReplayState,
} from "./api.generated.js";
import { archivedKey, ingestedOf } from "./archive-store.js";
import { ingest } from "./delivery.js";
import { busNameOf, ebState, findBus, tables, transaction, ValidationException, type EbInstance, type ReplayRec, type Tables, invalidToken } from "./state.js";

const BUS_ARN = /^arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[^/]+$/;

/** Events replayed per step, and the pause between steps (STRATUS_EVENTBRIDGE_REPLAY_BATCH / _INTERVAL_MS). */
const batchSize = () => Math.max(1, Number(process.env.STRATUS_EVENTBRIDGE_REPLAY_BATCH ?? 100));
const intervalMs = () => Math.max(0, Number(process.env.STRATUS_EVENTBRIDGE_REPLAY_INTERVAL_MS ?? 10));

function mustReplay(t: Tables, name: string): ReplayRec {
  const r = t.replays.get(name);
  if (!r) throw new ResourceNotFoundException(`Replay ${name} does not exist.`);
  return r;
}

function summary(r: ReplayRec): Replay {
  return {
    ReplayName: r.name,
    EventSourceArn: r.source,
    State: r.state,
    ...(r.stateReason ? { StateReason: r.stateReason } : {}),
    EventStartTime: new Date(r.eventStart),
    EventEndTime: new Date(r.eventEnd),
    ...(r.lastReplayed !== undefined ? { EventLastReplayedTime: new Date(r.lastReplayed) } : {}),
    ReplayStartTime: new Date(r.replayStart),
    ...(r.replayEnd !== undefined ? { ReplayEndTime: new Date(r.replayEnd) } : {}),
  };
}

export const replays = {
  startReplay(input, ctx) {
    const dest = input.Destination.Arn;
    if (!BUS_ARN.test(dest)) throw new ValidationException("Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.");
    const t = tables(ctx);
    const busName = busNameOf(dest);
    if (!findBus(t, ctx, busName)) throw new ResourceNotFoundException(`Event bus ${busName} does not exist.`);
    const archiveName = input.EventSourceArn.slice(input.EventSourceArn.lastIndexOf("/") + 1);
    const a = t.archives.get(archiveName);
    if (!a || a.arn !== input.EventSourceArn)
      throw new ValidationException(`Parameter EventSourceArn is not valid. Reason: Archive ${archiveName} does not exist.`);
    if (dest !== a.source) throw new ValidationException("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.");
    if (input.EventStartTime.getTime() > input.EventEndTime.getTime())
      throw new ValidationException("Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.");
    if (t.replays.get(input.ReplayName)) throw new ResourceAlreadyExistsException(`Replay ${input.ReplayName} already exists.`);
    const r: ReplayRec = {
      name: input.ReplayName,
      arn: regionalArn(ctx, "events", `replay/${input.ReplayName}`),
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      archive: a.name,
      source: a.arn,
      destination: { Arn: dest, ...(input.Destination.FilterArns?.length ? { FilterArns: input.Destination.FilterArns } : {}) },
      eventStart: input.EventStartTime.getTime(),
      eventEnd: input.EventEndTime.getTime(),
      state: "STARTING",
      replayStart: ctx.now(),
    };
    t.replays.put(r.name, r);
    ctx.startAtBoot();
    const instance = ctx.instance<EbInstance | undefined>();
    if (instance) runReplay(instance, ctx.account, ctx.region, r.name);
    return { ReplayArn: r.arn, State: r.state, ReplayStartTime: new Date(r.replayStart) };
  },

  describeReplay(input, ctx) {
    const r = mustReplay(tables(ctx), input.ReplayName);
    return {
      ...summary(r),
      ReplayArn: r.arn,
      ...(r.description !== undefined ? { Description: r.description } : {}),
      Destination: r.destination,
    };
  },

  listReplays(input, ctx) {
    const filters = [input.NamePrefix, input.EventSourceArn, input.State].filter((f) => f !== undefined).length;
    if (filters > 1) throw new ValidationException("At most one filter is allowed for ListReplays. Use either : State, EventSourceArn, or NamePrefix.");
    const all = tables(ctx)
      .replays.list({ prefix: input.NamePrefix })
      .map((e) => e.value)
      .filter((r) => (!input.EventSourceArn || r.source === input.EventSourceArn) && (!input.State || r.state === input.State));
    const page = pageByKey(all, (r) => r.name, {
      operation: "ListReplays",
      token: input.NextToken,
      max: input.Limit ?? 100,
      invalid: invalidToken,
      bind: `${input.NamePrefix ?? ""}|${input.EventSourceArn ?? ""}|${input.State ?? ""}`,
    });
    return { Replays: page.items.map(summary), ...(page.next ? { NextToken: page.next } : {}) };
  },

  cancelReplay(input, ctx) {
    const t = tables(ctx);
    const r = mustReplay(t, input.ReplayName);
    if (r.state !== "STARTING" && r.state !== "RUNNING") throw new IllegalStatusException(`Replay ${r.name} is not in a valid state for this operation.`);
    r.state = "CANCELLING";
    t.replays.put(r.name, r);
    return { ReplayArn: r.arn, State: r.state };
  },
} satisfies Partial<EventbridgeApi>;

/** Arms a replay's steps on the scheduler unless they already are (StartReplay, or the service's start after a restart). */
export function runReplay(instance: EbInstance, account: string, region: string, name: string): void {
  const id = `${account}/${region}/${name}`;
  if (instance.replaying.has(id)) return;
  instance.replaying.add(id);
  const host = instance.host;
  let closing = false;
  host.onClosing(() => {
    closing = true;
  });
  let failures = 0;
  const step = () => {
    if (closing) return; // the replay stays where its last step left it, for the next start
    let again = false;
    try {
      again = replayStep(host, account, region, name);
      failures = 0;
    } catch (e) {
      // A step that failed (its transaction rolled back) is tried again, later each time, rather than leaving the
      // replay RUNNING with nothing behind it until the next start.
      failures++;
      host.logger.warn(`EventBridge replay ${name}: a step failed (try ${failures}): ${e instanceof Error ? e.message : String(e)}`);
      again = true;
    }
    if (again) host.scheduler.after(intervalMs() * 2 ** Math.min(failures, 10), step);
    else instance.replaying.delete(id);
  };
  host.scheduler.after(0, step);
}

const ended = (state: ReplayState) => state === "COMPLETED" || state === "CANCELLED" || state === "FAILED";

/** One batch of a replay, in one transaction; true while there is more to do. */
function replayStep(host: ServiceHost, account: string, region: string, name: string): boolean {
  const t = ebState.at(host, account, region);
  return transaction(host, () => {
    const r = t.replays.get(name);
    if (!r || ended(r.state)) return false;
    const now = host.clock.now();
    if (r.state === "CANCELLING") {
      Object.assign(r, { state: "CANCELLED", replayEnd: now });
      t.replays.put(name, r);
      return false;
    }
    const a = t.archives.get(r.archive);
    if (!a) {
      Object.assign(r, { state: "FAILED", stateReason: `Archive ${r.archive} does not exist.`, replayEnd: now }); // unverified wording
      t.replays.put(name, r);
      return false;
    }
    r.state = "RUNNING";
    const limit = batchSize();
    const rows = t.archived.list({ prefix: `${a.name}|`, after: r.cursor ?? archivedKey(a.name, r.eventStart - 1, "~"), limit });
    const only = r.destination.FilterArns?.length ? new Set(r.destination.FilterArns) : undefined;
    let done = rows.length < limit;
    for (const { key, value } of rows) {
      if (ingestedOf(key) > r.eventEnd) {
        done = true;
        break;
      }
      ingest(host, account, region, a.bus, { ...value.event, "replay-name": name }, now, only);
      r.cursor = key;
      r.lastReplayed = ingestedOf(key);
    }
    if (done) Object.assign(r, { state: "COMPLETED", replayEnd: now });
    t.replays.put(name, r);
    return !done;
  });
}

/** Resumes every replay not yet ended (the service's start). */
export function resumeReplays(instance: EbInstance): void {
  for (const { account, region, tables: t } of ebState.all(instance.host, "replays"))
    for (const { value } of t.replays.list()) if (!ended(value.state)) runReplay(instance, account, region, value.name);
}
