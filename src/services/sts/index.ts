// STS: the service at a glance — identity, session tokens, role sessions, and the credentials it issues.
import { defineService } from "../../core/service.js";
import type { StsApi } from "./api.generated.js";
import { assumeRole } from "./assume-role.js";
import { callerIdentity } from "./caller-identity.js";
import { sweepExpiredSessions } from "./credentials.js";
import { sessionTokens } from "./session-token.js";

// Federation (web identity tokens, SAML assertions: JWT/JWKS and XML code) loads on its first call, so the usual
// first call of all, GetCallerIdentity, does not compile it (issue 10, point 10: cold start).
const federation = {
  async assumeRoleWithWebIdentity(input, ctx) {
    return (await import("./web-identity.js")).webIdentity.assumeRoleWithWebIdentity(input, ctx);
  },
  async assumeRoleWithSAML(input, ctx) {
    return (await import("./saml.js")).saml.assumeRoleWithSAML(input, ctx);
  },
} satisfies Partial<StsApi>;

const handlers = {
  ...callerIdentity,
  ...sessionTokens,
  ...assumeRole,
  ...federation,
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
