// Labels on parameter versions: at most 10 per version, a label lives on one version and moves when reapplied.
import { ParameterNotFound, ParameterVersionLabelLimitExceeded, ParameterVersionNotFound } from "./api.generated.js";
import type { SsmApi } from "./api.generated.js";
import { invalidLabel } from "./rules.js";
import { current, findParam, params } from "./state.js";
import type { ParamRec } from "./state.js";
import type { HandlerContext } from "../../core/context.js";

function versionOf(ctx: HandlerContext, name: string, version: number | undefined) {
  const param = findParam(ctx, name);
  if (!param) throw new ParameterNotFound(`Parameter ${name} not found.`);
  const n = version ?? current(param).version;
  const v = param.versions.find((x) => x.version === n);
  if (!v) throw new ParameterVersionNotFound(`Systems Manager could not find version ${n} of ${name}. Verify the version and try again.`);
  return { param, v };
}

export const labels = {
  labelParameterVersion({ Name, ParameterVersion, Labels }, ctx) {
    const { param, v } = versionOf(ctx, Name, ParameterVersion);
    const invalid = Labels.filter(invalidLabel);
    const valid = [...new Set(Labels.filter((l) => !invalidLabel(l)))];
    const added = valid.filter((l) => !v.labels.includes(l));
    if (v.labels.length + added.length > 10) {
      throw new ParameterVersionLabelLimitExceeded("A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.");
    }
    // A label names one version: applying it here takes it off whichever version held it.
    const rec: ParamRec = param;
    for (const other of rec.versions) if (other !== v) other.labels = other.labels.filter((l) => !valid.includes(l));
    v.labels.push(...added);
    params(ctx).put(rec.name, rec);
    return { InvalidLabels: invalid, ParameterVersion: v.version };
  },

  unlabelParameterVersion({ Name, ParameterVersion, Labels }, ctx) {
    const { param, v } = versionOf(ctx, Name, ParameterVersion);
    const removed = Labels.filter((l) => v.labels.includes(l));
    const invalid = Labels.filter((l) => !v.labels.includes(l));
    v.labels = v.labels.filter((l) => !removed.includes(l));
    params(ctx).put(param.name, param);
    return { RemovedLabels: [...new Set(removed)], InvalidLabels: [...new Set(invalid)] };
  },
} satisfies Partial<SsmApi>;
