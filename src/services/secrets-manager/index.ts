// Secrets Manager: the service at a glance — secrets, versions and staging labels, resource policies,
// random passwords, rotation; values encrypted through KMS; deletion after the recovery window.
import { defineService } from "../../core/service.js";
import { secretsResourcePolicy } from "./access.js";
import type { SecretsManagerApi } from "./api.generated.js";
import { password } from "./password.js";
import { policies } from "./policies.js";
import { rotation } from "./rotation.js";
import { secrets } from "./secrets.js";
import { sweep } from "./state.js";
import { startScheduledRotations, type SecretsManagerInstance } from "./scheduled-rotation.js";
import { versions } from "./versions.js";

const handlers = { ...secrets, ...versions, ...policies, ...password, ...rotation } satisfies Partial<SecretsManagerApi>;

export default defineService({
  name: "secrets-manager",
  handlers,
  resourcePolicy: secretsResourcePolicy,
  // Secrets whose recovery window passed while the server was down are removed at start; the rest are
  // removed when their window ends (DeleteSecret schedules that too).
  start(runtime) {
    const run = (): (() => void) => {
      const next = sweep(runtime, runtime.clock.now());
      return next === undefined ? () => {} : runtime.scheduler.at(next, () => (cancel = run()));
    };
    let cancel = run();
    // The running instance is the rotation clock, which RotateSecret and CancelRotateSecret re-arm.
    const instance: SecretsManagerInstance = { rotations: startScheduledRotations(runtime) };
    return {
      instance,
      stop: () => {
        cancel();
        instance.rotations.stop();
      },
    };
  },
});
