// An OIDC provider's name in IAM: its URL without the scheme, which is also its ARN's resource and the prefix of
// its condition keys. Shared by the handlers and the peer module (internal.ts), so it imports no handler.
import { globalArn } from "../../core/arn.js";

/** The provider's key and ARN resource: the URL without its scheme, the host lower-cased (hosts are case-insensitive). */
export function oidcResource(url: string): string | undefined {
  const m = /^https:\/\/([^/?#]+)([^?#]*)$/i.exec(url);
  if (!m) return undefined;
  return m[1].toLowerCase() + m[2].replace(/\/+$/, "");
}

export const oidcArn = (account: string, resource: string) => globalArn(account, "iam", `oidc-provider/${resource}`);
