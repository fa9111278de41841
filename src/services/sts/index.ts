// STS: the service at a glance — identity, session tokens, role sessions, and the credentials it issues.
import { defineService } from "../../core/service.js";
import type { StsApi } from "./api.generated.js";
import { assumeRole } from "./assume-role.js";
import { callerIdentity } from "./caller-identity.js";
import { sweepExpiredSessions } from "./credentials.js";
import { saml } from "./saml.js";
import { sessionTokens } from "./session-token.js";
import { webIdentity } from "./web-identity.js";

const handlers = {
  ...callerIdentity,
  ...sessionTokens,
  ...assumeRole,
  ...webIdentity,
  ...saml,
} satisfies Partial<StsApi>;

const SWEEP_EVERY_MS = 10 * 60_000;

export default defineService({
  name: "sts",
  handlers,
  start(runtime) {
    return runtime.scheduler.every(SWEEP_EVERY_MS, () => {
      try {
        sweepExpiredSessions(runtime, runtime.clock.now());
      } catch (e) {
        runtime.logger.error("sts: sweeping expired sessions failed", e);
      }
    });
  },
});
