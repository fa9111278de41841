// The registry's credentials: GetAuthorizationToken issues what `docker login` (and the CDK CLI, before it builds an
// image asset) uses against a registry — `AWS:<password>`, base64-encoded, valid for 12 hours, with the registry's
// endpoint. The password is a random secret kept (by its hash) with the principal it was issued to and its expiry,
// so the registry that serves push and pull when containers come can check it; expired ones are swept as new ones
// are issued. Until then no registry answers at that endpoint: a client with a container engine fails at its login
// or push, and one without (the CDK CLI on a machine with no Docker) stops at its own "install docker" message,
// before any stack changes.
import { createHash, randomBytes } from "node:crypto";
import type { EcrApi } from "./api.generated.js";
import { authTokens, registryHost } from "./state.js";

/** "The authorization token is valid for 12 hours." (ECR API reference, GetAuthorizationToken) */
export const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

export const tokenHash = (password: string) => createHash("sha256").update(password).digest("hex");

export const registryHandlers = {
  getAuthorizationToken({ registryIds }, ctx) {
    const now = ctx.now();
    const table = authTokens(ctx);
    for (const { key, value } of table.list()) if (value.expiresAt <= now) table.delete(key);
    const password = randomBytes(48).toString("base64url");
    const expiresAt = now + TOKEN_LIFETIME_MS;
    table.put(tokenHash(password), { principalArn: ctx.principal.arn, accountId: ctx.principal.accountId, expiresAt });
    const token = Buffer.from(`AWS:${password}`).toString("base64");
    // One token, good for every registry asked for (the deprecated registryIds; the caller's own by default):
    // whether it may pull from another account's registry is that registry's policy to say, at pull time.
    const registries = registryIds?.length ? [...new Set(registryIds)] : [ctx.account];
    return {
      authorizationData: registries.map((id) => ({
        authorizationToken: token,
        expiresAt: new Date(expiresAt),
        proxyEndpoint: `https://${registryHost(ctx.region, id)}`,
      })),
    };
  },
} satisfies Partial<EcrApi>;
