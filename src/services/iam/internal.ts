// What IAM offers the rest of Stratus beyond its API: read-only lookups STS needs (trust policies,
// MFA seeds, users). Implemented over IAM's own tables; nothing else reads those tables. Each takes a
// handler context or service host (or, for callers that hold only the store, the store).
import { roleArn, userArn } from "./common.js";
import { oidcArn, oidcResource } from "./oidc-url.js";
import { readMetadata } from "./saml-xml.js";
import { nameKey, tablesFor, type IamHolder } from "./state.js";

export interface IamRoleInfo {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  /** The trust policy as JSON text (decoded, not URL-encoded). */
  assumeRolePolicyDocument: string;
  maxSessionDuration: number;
}

export interface IamUserInfo {
  userName: string;
  userId: string;
  arn: string;
  path: string;
}

export interface IamMfaInfo {
  serialNumber: string;
  /** The Base32 TOTP seed. */
  seedBase32: string;
  /** Set once EnableMFADevice has associated it with a user. */
  userName?: string;
  enabled: boolean;
}

const ROLE_ARN = /^arn:[\w-]+:iam::(\d{12}):role(\/(?:.*\/)?)([^/]+)$/;

export function findRoleByArn(holder: IamHolder, account: string, arn: string): IamRoleInfo | undefined {
  const m = ROLE_ARN.exec(arn);
  if (!m || m[1] !== account) return undefined;
  const r = tablesFor(holder, account).roles.get(nameKey(m[3]));
  // The ARN must name the role exactly: path and name case as created.
  if (!r || r.path !== m[2] || r.name !== m[3]) return undefined;
  return {
    roleName: r.name,
    roleId: r.id,
    arn: roleArn(account, r),
    path: r.path,
    assumeRolePolicyDocument: r.trust,
    maxSessionDuration: r.maxSessionDuration,
  };
}

export function findUser(holder: IamHolder, account: string, userName: string): IamUserInfo | undefined {
  const u = tablesFor(holder, account).users.get(nameKey(userName));
  return u ? { userName: u.name, userId: u.id, arn: userArn(account, u), path: u.path } : undefined;
}

export function findMfaDevice(holder: IamHolder, account: string, serialNumber: string): IamMfaInfo | undefined {
  const t = tablesFor(holder, account);
  const d = t.mfa.get(serialNumber);
  if (!d) return undefined;
  const user = d.user ? t.users.get(d.user) : undefined;
  return { serialNumber: d.serial, seedBase32: d.seed, userName: user?.name, enabled: !!d.user };
}

/** Records a role's last use (RoleLastUsed) when STS issues credentials for it; at most one write a minute. */
export function recordRoleUsed(holder: IamHolder, account: string, roleName: string, region: string, now: number): void {
  const roles = tablesFor(holder, account).roles;
  const key = nameKey(roleName);
  const r = roles.get(key);
  if (!r || (r.lastUsed && now - r.lastUsed.date < 60_000 && r.lastUsed.region === region)) return;
  roles.put(key, { ...r, lastUsed: { date: now, region } });
}

export interface IamOidcProviderInfo {
  arn: string;
  /** The provider's URL without scheme (host/path): the prefix of its condition keys (`<url>:aud`, `<url>:sub`). */
  resource: string;
  clientIds: string[];
  thumbprints: string[];
}

/** The OIDC provider registered in `account` for an issuer URL (`iss`), if any. */
export function findOidcProvider(holder: IamHolder, account: string, issuer: string): IamOidcProviderInfo | undefined {
  const resource = oidcResource(issuer);
  if (!resource) return undefined;
  const p = tablesFor(holder, account).oidcProviders.get(resource);
  return p ? { arn: oidcArn(account, resource), resource, clientIds: p.clientIds, thumbprints: p.thumbprints } : undefined;
}

export interface IamSamlProviderInfo {
  arn: string;
  name: string;
  /** The IdP's SAML metadata document (XML text). */
  metadata: string;
  /** The metadata's EntityDescriptor entityID: the Issuer the IdP's assertions carry. */
  entityId: string;
}

const SAML_ARN = /^arn:aws:iam::(\d{12}):saml-provider\/([\w.-]+)$/;

/** The SAML provider an ARN names, in the account the ARN names. */
export function findSamlProviderByArn(holder: IamHolder, arn: string): IamSamlProviderInfo | undefined {
  const m = SAML_ARN.exec(arn);
  if (!m) return undefined;
  const p = tablesFor(holder, m[1]).samlProviders.get(m[2]);
  const entityId = p && readMetadata(p.metadata)?.entityId;
  return p && entityId ? { arn, name: p.name, metadata: p.metadata, entityId } : undefined;
}

/** SAML XML reading, for STS's AssumeRoleWithSAML (the same reader IAM validates provider metadata with). */
export { attr as samlAttr, child as samlChild, children as samlChildren, parseXml as parseSamlXml, text as samlText, type XmlNode } from "./saml-xml.js";
