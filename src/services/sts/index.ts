// STS: the service at a glance — identity, session tokens, role sessions, and the credentials it issues.
import { defineService } from "../../core/service.js";
import type { StsApi } from "./api.generated.js";
import { callerIdentity } from "./caller-identity.js";
import { sweepExpiredSessions } from "./credentials.js";

// Only the caller-identity handlers load with the service: the usual first call of all, GetCallerIdentity, then
// loads none of the code that issues sessions (trust policies, IAM's role lookup, MFA, session policies, the
// JWT/JWKS and XML code of federation). Each of those loads on its own first call (issue 10, point 10: cold start).
const onDemand = {
  async getSessionToken(input, ctx) {
    return (await import("./session-token.js")).sessionTokens.getSessionToken(input, ctx);
  },
  async getFederationToken(input, ctx) {
    return (await import("./session-token.js")).sessionTokens.getFederationToken(input, ctx);
  },
  async assumeRole(input, ctx) {
    return (await import("./assume-role.js")).assumeRole.assumeRole(input, ctx);
  },
  async assumeRoleWithWebIdentity(input, ctx) {
    return (await import("./web-identity.js")).webIdentity.assumeRoleWithWebIdentity(input, ctx);
  },
  async assumeRoleWithSAML(input, ctx) {
    return (await import("./saml.js")).saml.assumeRoleWithSAML(input, ctx);
  },
} satisfies Partial<StsApi>;

const handlers = {
  ...callerIdentity,
  ...onDemand,
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
