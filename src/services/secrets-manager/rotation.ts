// Rotation: RotateSecret stores the configuration and drives the four Lambda steps (createSecret, setSecret,
// testSecret, finishSecret) through ctx.call("lambda", "Invoke"); CancelRotateSecret turns it off.
import { lambdaPermits } from "../lambda/internal.js";
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import type { SecretsManagerApi } from "./api.generated.js";
import { InvalidRequestException } from "./api.generated.js";
import { CURRENT, PENDING } from "./common.js";
import { validateRules } from "./schedule.js";
import { rearmRotations } from "./scheduled-rotation.js";
import { requireToken } from "./secrets.js";
import type { SecretRec } from "./state.js";
import { mustFindLive, tables, versionWith } from "./state.js";

export type Step = "createSecret" | "setSecret" | "testSecret" | "finishSecret";

// What AWS answers when it cannot invoke the rotation function (missing, or no permission for secretsmanager.amazonaws.com).
const cannotInvoke = () =>
  new ServiceError(
    "AccessDeniedException",
    "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.",
    400,
  );

/** One rotation step: a synchronous Invoke of the rotation function with the event AWS sends. */
async function invokeStep(ctx: HandlerContext, lambdaArn: string, rec: SecretRec, token: string, step: Step): Promise<void> {
  // The function's resource policy must let Secrets Manager invoke it (lambda add-permission).
  if (!lambdaPermits(ctx, lambdaArn, "secretsmanager.amazonaws.com", rec.arn, ctx.account)) throw cannotInvoke();
  let out: { FunctionError?: string; Payload?: Uint8Array };
  try {
    out = await ctx.client("lambda").invoke({
      FunctionName: lambdaArn,
      InvocationType: "RequestResponse",
      Payload: Buffer.from(JSON.stringify({ Step: step, SecretId: rec.arn, ClientRequestToken: token })),
    });
  } catch {
    throw cannotInvoke();
  }
  if (out.FunctionError) throw new RotationStepFailed(step, Buffer.from(out.Payload ?? []).toString("utf8"));
}

class RotationStepFailed extends Error {
  constructor(
    readonly step: Step,
    readonly detail: string,
  ) {
    super(`rotation step ${step} failed: ${detail}`);
  }
}

/**
 * Runs the rotation function's steps. The first invocation's failure to run at all is the caller's error (as
 * AWS answers RotateSecret); a step that runs and fails leaves AWSPENDING in place, as AWS does, so the next
 * RotateSecret reports the incomplete rotation.
 */
export async function runRotation(ctx: HandlerContext, rec: SecretRec, lambdaArn: string, token: string, immediately: boolean): Promise<boolean> {
  const steps: Step[] = immediately ? ["createSecret", "setSecret", "testSecret", "finishSecret"] : ["testSecret"];
  try {
    for (const step of steps) await invokeStep(ctx, lambdaArn, rec, token, step);
  } catch (e) {
    if (e instanceof RotationStepFailed) return false;
    throw e;
  }
  return true;
}

export const rotation = {
  async rotateSecret({ SecretId, ClientRequestToken, RotationLambdaARN, RotationRules, RotateImmediately }, ctx) {
    const t = tables(ctx);
    const rec = mustFindLive(ctx, SecretId, t);
    validateRules(RotationRules);
    const lambdaArn = RotationLambdaARN || rec.rotation?.lambdaArn;
    if (!lambdaArn) throw new InvalidRequestException("No Lambda rotation function ARN is associated with this secret.");
    const pending = versionWith(rec, PENDING);
    if (pending && !pending.stages.includes(CURRENT)) {
      throw new InvalidRequestException("A previous rotation isn't complete. That rotation will be reattempted.");
    }
    const token = requireToken(ClientRequestToken);
    const now = ctx.now();
    // The configuration is stored before the function runs: AWS keeps it even when the rotation then fails.
    t.secrets.put(rec.name, {
      ...rec,
      rotation: {
        ...rec.rotation,
        enabled: true,
        lambdaArn,
        ...(RotationRules ? { rules: RotationRules, configuredAt: now } : { configuredAt: rec.rotation?.configuredAt ?? now }),
      },
      lastChanged: now,
    });
    // From now on the service starts with the server: a scheduled rotation must fire without anyone calling.
    if (RotationRules) ctx.startAtBoot();
    const immediately = RotateImmediately ?? true;
    const ok = await runRotation(ctx, rec, lambdaArn, token, immediately);
    if (ok && immediately) {
      const fresh = t.secrets.get(rec.name);
      if (fresh?.rotation && versionWith(fresh, CURRENT)?.id === token) {
        t.secrets.put(rec.name, { ...fresh, rotation: { ...fresh.rotation, lastRotated: ctx.now() } });
      }
    }
    rearmRotations(ctx);
    return { ARN: rec.arn, Name: rec.name, ...(immediately ? { VersionId: token } : {}) };
  },

  cancelRotateSecret({ SecretId }, ctx) {
    const t = tables(ctx);
    const rec = mustFindLive(ctx, SecretId, t);
    if (!rec.rotation?.lambdaArn) {
      throw new InvalidRequestException(
        "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN configured and you didn't include such an ARN as a parameter in this call.",
      );
    }
    t.secrets.put(rec.name, { ...rec, rotation: { ...rec.rotation, enabled: false }, lastChanged: ctx.now() });
    rearmRotations(ctx);
    const pending = versionWith(rec, PENDING);
    return { ARN: rec.arn, Name: rec.name, ...(pending ? { VersionId: pending.id } : {}) };
  },
} satisfies Partial<SecretsManagerApi>;
