// Wait conditions (user guide, "Create wait conditions in a CloudFormation template"): an
// AWS::CloudFormation::WaitConditionHandle is a presigned URL (its Ref) Stratus serves (presign.ts,
// responses.ts); a PUT of `{"Status":"SUCCESS"|"FAILURE","Reason":…,"UniqueId":…,"Data":…}` signals it. An
// AWS::CloudFormation::WaitCondition on that Handle waits (Timeout seconds, at most 43200) until Count
// (default 1) success signals with distinct UniqueIds arrived; a FAILURE signal or the timeout fails it. Fn::GetAtt
// Data is the JSON of {UniqueId: Data}. Updates change nothing (AWS does not support updating either type).
// And AWS::CDK::Metadata: the CDK's analytics, which CloudFormation accepts and keeps nowhere else.
import { randomUUID } from "node:crypto";
import type { ResourceProvider, ResourceRequest } from "../../core/resources.js";
import { ResourceFailure } from "../../core/resources.js";
import type { ServiceHost } from "../../core/service.js";
import { baseUrl, waitFor } from "./custom.js";
import type { Engine } from "./engine.js";
import { handleUrl, parseHandleUrl, signalState } from "./presign.js";
import { runTemplate } from "./source.js";
import { cfnState } from "./state.js";

const MAX_TIMEOUT = 43_200;
const hostOf = (req: ResourceRequest): ServiceHost => req.ctx.instance<Engine>().host;

const handle: ResourceProvider = {
  async create(req) {
    const host = hostOf(req);
    const url = handleUrl(host, baseUrl(host), host.clock.now(), req.stackId, req.logicalId);
    signalState.of(req.ctx).handles.put(`${req.stackId}/${req.logicalId}`, { url, signals: {} });
    return { physicalId: url, attributes: { Id: url } };
  },
  async update(req) {
    return { physicalId: req.physicalId, attributes: { Id: req.physicalId } };
  },
  async delete(req) {
    signalState.of(req.ctx).handles.delete(`${req.stackId}/${req.logicalId}`);
  },
};

const waitCondition: ResourceProvider = {
  async create(req) {
    const host = hostOf(req);
    const p = req.properties;
    // The other form: a CreationPolicy's ResourceSignal, signalled through SignalResource (its properties unused).
    const policy = creationPolicy(req);
    if (policy) return awaitSignals(req, host, policy);
    // unverified wording
    if (p.Handle === undefined) throw new ResourceFailure("A WaitCondition without a CreationPolicy requires the Handle and Timeout properties");
    const target = parseHandleUrl(String(p.Handle));
    // unverified wording
    if (!target) throw new ResourceFailure(`Invalid WaitConditionHandle URL: ${String(p.Handle)}`);
    const timeout = Number(p.Timeout);
    // AWS: "Value for Timeout property must be less than 43200" (cfn-lint's rule quoting the resource reference); unverified as an event.
    if (p.Timeout === undefined || !Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT)
      throw new ResourceFailure(`Value for Timeout property must be an integer between 1 and ${MAX_TIMEOUT}`);
    const count = p.Count === undefined ? 1 : Number(p.Count);
    // unverified wording
    if (!Number.isInteger(count) || count < 1) throw new ResourceFailure(`Value for Count property must be a positive integer`);
    const tables = signalState.at(host, target.account, target.region);
    const key = `${target.stackId}/${target.logicalId}`;
    const deadline = host.clock.now() + timeout * 1000;
    const outcome = await waitFor({ host, signal: req.signal }, () => {
      const rec = tables.handles.get(key);
      const signals = Object.values(rec?.signals ?? {});
      const failure = signals.find((s) => s.Status === "FAILURE");
      // AWS's reasons, as quoted from stack events: "WaitCondition received failed message: '<Reason>' for uniqueId: <UniqueId>",
      // "WaitCondition timed out. Received 0 conditions when expecting 1"; "Unparsable WaitCondition data" for a body that is no signal.
      if (failure) return { fail: `WaitCondition received failed message: '${String(failure.Reason ?? "")}' for uniqueId: ${String(failure.UniqueId)}` };
      if (rec?.unparsable) return { fail: "Unparsable WaitCondition data" };
      const ok = signals.filter((s) => s.Status === "SUCCESS");
      if (ok.length >= count) return { data: Object.fromEntries(ok.map((s) => [String(s.UniqueId), s.Data])) };
      if (host.clock.now() >= deadline) return { fail: `WaitCondition timed out. Received ${ok.length} conditions when expecting ${count}` };
      return undefined;
    });
    if ("fail" in outcome) throw new ResourceFailure(outcome.fail as string);
    const physicalId = key;
    return { physicalId, attributes: { Id: physicalId, Data: JSON.stringify(outcome.data) } };
  },
  async update(req) {
    return { physicalId: req.physicalId, attributes: { Id: req.physicalId, Data: dataOf(req, req.physicalId) } };
  },
  async delete() {},
};

/** The resource's CreationPolicy ResourceSignal (Count, Timeout as an ISO 8601 duration), if the template gives one. */
function creationPolicy(req: ResourceRequest): { count: number; seconds: number } | undefined {
  const s = cfnState.of(req.ctx).stacks.get(req.stackId);
  const policy = s && (runTemplate(s).Resources[req.logicalId]?.CreationPolicy as { ResourceSignal?: { Count?: unknown; Timeout?: unknown } } | undefined);
  if (!policy) return undefined;
  const count = policy.ResourceSignal?.Count === undefined ? 1 : Number(policy.ResourceSignal.Count);
  const timeout = String(policy.ResourceSignal?.Timeout ?? "PT5M");
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(timeout);
  const seconds = m && timeout !== "PT" ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : Number.NaN;
  // unverified wording; AWS's maximum is PT12H (the CreationPolicy attribute reference).
  if (!Number.isInteger(count) || count < 1) throw new ResourceFailure("CreationPolicy ResourceSignal Count must be a positive integer");
  if (!(seconds > 0 && seconds <= MAX_TIMEOUT))
    throw new ResourceFailure(`CreationPolicy ResourceSignal Timeout must be an ISO 8601 duration of at most PT12H: ${timeout}`);
  return { count, seconds };
}

/** Waits for SignalResource's signals: AWS's reasons for a FAILURE signal and for too few in time. */
async function awaitSignals(req: ResourceRequest, host: ServiceHost, policy: { count: number; seconds: number }) {
  const handles = signalState.of(req.ctx).handles;
  const key = `${req.stackId}/${req.logicalId}`;
  handles.put(key, { url: "", signals: {} });
  const deadline = host.clock.now() + policy.seconds * 1000;
  const outcome = await waitFor({ host, signal: req.signal }, () => {
    const signals = Object.values(handles.get(key)?.signals ?? {});
    // As AWS's stack events read: "Received FAILURE signal with UniqueId i-…", "Failed to receive 1 resource signal(s) within the specified duration".
    const failure = signals.find((x) => x.Status === "FAILURE");
    if (failure) return { fail: `Received FAILURE signal with UniqueId ${String(failure.UniqueId)}` };
    const ok = signals.filter((x) => x.Status === "SUCCESS");
    if (ok.length >= policy.count) return { ok: true };
    if (host.clock.now() >= deadline) return { fail: `Failed to receive ${policy.count} resource signal(s) within the specified duration` };
    return undefined;
  });
  if ("fail" in outcome) throw new ResourceFailure(outcome.fail as string);
  return { physicalId: key, attributes: { Id: key, Data: dataOf(req, key) } };
}

/** A wait condition's Data: the success signals its handle (its physical id) holds, by UniqueId. */
function dataOf(req: ResourceRequest, physicalId: string): string {
  const signals = Object.values(signalState.of(req.ctx).handles.get(physicalId)?.signals ?? {});
  return JSON.stringify(Object.fromEntries(signals.filter((s) => s.Status === "SUCCESS").map((s) => [String(s.UniqueId), s.Data])));
}

/** AWS::CDK::Metadata: accepted and kept as the stack's record alone (its Analytics checked against the spec). */
const cdkMetadata: ResourceProvider = {
  async create() {
    return { physicalId: randomUUID() };
  },
  async update(req) {
    return { physicalId: req.physicalId };
  },
  async delete() {},
};

export const waitConditionProviders = {
  "AWS::CloudFormation::WaitConditionHandle": handle,
  "AWS::CloudFormation::WaitCondition": waitCondition,
  "AWS::CDK::Metadata": cdkMetadata,
};
