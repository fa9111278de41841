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
    if (p.Handle === undefined) {
      // CloudFormation's other form: a CreationPolicy's ResourceSignal, signalled through SignalResource.
      throw new ResourceFailure(
        "Stratus runs a WaitCondition on its Handle; one waiting for SignalResource signals (CreationPolicy without Handle) is not supported by Stratus yet.",
      );
    }
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
    const outcome = await waitFor(host, () => {
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
