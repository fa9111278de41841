// Custom domain names and their base path mappings, kept as data: Stratus serves no custom domains (no DNS, no
// TLS termination), so a domain answers what AWS answers about it (its CloudFront or regional target names,
// AVAILABLE) and certificates are checked for shape only. A mapping's empty base path is "(none)", as AWS keys it.
// Client certificates (client-certificates.ts) join these handlers.
import { parseArn } from "../../core/arn.js";
import {
  type ApiGatewayApi,
  BadRequestException,
  type BasePathMapping,
  ConflictException,
  type DomainName,
  type EndpointType,
  NotFoundException,
  type SecurityPolicy,
} from "./api.generated.js";
import { clientCertificates } from "./client-certificates.js";
import { applyPatches, page, replaceOnly } from "./data-patch.js";
import { type ApiGatewayTables, type BasePathMappingRec, type DomainNameRec, newId, tables, transaction } from "./state.js";

/** API Gateway's regional hosted zones (AWS's Service endpoints and quotas, API Gateway), for the regions listed. */
const REGIONAL_ZONES: Record<string, string> = {
  "us-east-1": "Z1UJRXOUMOOFQ8",
  "us-east-2": "ZOJJZC49E0EPZ",
  "us-west-1": "Z2MUQ32089INYE",
  "us-west-2": "Z2OJLYMUO9EFXC",
  "eu-west-1": "ZLY8HYME6SFDD",
  "eu-central-1": "Z1U9ULNL0V5AJ3",
};
/** CloudFront's hosted zone, the target of every edge-optimized domain. */
const CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2";

const ENDPOINT_TYPES = new Set(["EDGE", "REGIONAL", "PRIVATE"]);

function checkCertificateArn(arn: string | undefined): void {
  if (arn === undefined) return;
  const a = parseArn(arn);
  if (a?.service !== "acm" || !a.resource.startsWith("certificate/")) throw new BadRequestException("Invalid certificate ARN specified"); // unverified wording
}

function domainOut(d: DomainNameRec): DomainName {
  const { certificateUploadDate, ...rest } = d;
  return { ...rest, ...(certificateUploadDate !== undefined ? { certificateUploadDate: new Date(certificateUploadDate) } : {}) };
}

function getDomain(t: ApiGatewayTables, name: string): DomainNameRec {
  const d = t.domainNames.get(name);
  if (!d) throw new NotFoundException("Invalid domain name identifier specified"); // as recorded in moto's tests
  return d;
}

/** The key form of a base path: "" and absent are "(none)". */
const basePathKey = (p: string | undefined) => (p === undefined || p === "" ? "(none)" : p);

function checkBasePath(p: string): void {
  // AWS's wording, as recorded in moto's tests.
  if (p !== "(none)" && p.includes("/"))
    throw new BadRequestException(
      "API Gateway V1 doesn't support the slash character (/) in base path mappings. To create a multi-level base path mapping, use API Gateway V2.",
    );
}

/** The mapping's target must exist: the API (and the stage, when named) in the caller's region. */
function checkTarget(t: ApiGatewayTables, restApiId: string | undefined, stage: string | undefined): void {
  if (!restApiId || !t.apis.has(restApiId)) throw new BadRequestException("Invalid REST API identifier specified");
  if (stage && !t.stages.has(`${restApiId}/${stage}`)) throw new BadRequestException("Invalid stage identifier specified");
}

const mappingOut = (m: BasePathMappingRec): BasePathMapping => ({ basePath: m.basePath, restApiId: m.restApiId, ...(m.stage ? { stage: m.stage } : {}) });

function getMapping(t: ApiGatewayTables, domainName: string, basePath: string): BasePathMappingRec {
  getDomain(t, domainName);
  const m = t.basePathMappings.get(`${domainName}/${basePathKey(basePath)}`);
  if (!m) throw new NotFoundException("Invalid base path mapping identifier specified"); // as recorded in moto's tests
  return m;
}

export const domains = {
  createDomainName(input, ctx) {
    const t = tables(ctx);
    if (!input.domainName) throw new BadRequestException("No Domain Name specified"); // as in moto's tests
    if (t.domainNames.has(input.domainName)) throw new ConflictException("The domain name you provided already exists."); // unverified wording
    const types = input.endpointConfiguration?.types?.length ? input.endpointConfiguration.types : (["EDGE"] as EndpointType[]);
    if (types.length !== 1 || !ENDPOINT_TYPES.has(types[0])) throw new BadRequestException("Invalid endpoint configuration type"); // unverified wording
    checkCertificateArn(input.certificateArn);
    checkCertificateArn(input.regionalCertificateArn);
    const edge = types[0] === "EDGE";
    const now = ctx.now();
    const rec: DomainNameRec = {
      domainName: input.domainName,
      domainNameArn: `arn:aws:apigateway:${ctx.region}::/domainnames/${input.domainName}`,
      ...(edge
        ? {
            ...(input.certificateName ? { certificateName: input.certificateName } : {}),
            ...(input.certificateArn ? { certificateArn: input.certificateArn } : {}),
            certificateUploadDate: now,
            distributionDomainName: `d${newId(13)}.cloudfront.net`,
            distributionHostedZoneId: CLOUDFRONT_ZONE,
          }
        : {
            ...(input.regionalCertificateName ? { regionalCertificateName: input.regionalCertificateName } : {}),
            ...(input.regionalCertificateArn ? { regionalCertificateArn: input.regionalCertificateArn } : {}),
            regionalDomainName: `d-${newId(10)}.execute-api.${ctx.region}.amazonaws.com`,
            ...(REGIONAL_ZONES[ctx.region] ? { regionalHostedZoneId: REGIONAL_ZONES[ctx.region] } : {}),
          }),
      endpointConfiguration: { types, ...(input.endpointConfiguration?.ipAddressType ? { ipAddressType: input.endpointConfiguration.ipAddressType } : {}) },
      domainNameStatus: "AVAILABLE",
      securityPolicy: input.securityPolicy ?? "TLS_1_2",
      ...(input.mutualTlsAuthentication?.truststoreUri
        ? {
            mutualTlsAuthentication: {
              truststoreUri: input.mutualTlsAuthentication.truststoreUri,
              truststoreVersion: input.mutualTlsAuthentication.truststoreVersion,
            },
          }
        : {}),
      ...(input.ownershipVerificationCertificateArn ? { ownershipVerificationCertificateArn: input.ownershipVerificationCertificateArn } : {}),
      ...(input.policy ? { policy: input.policy } : {}),
      routingMode: input.routingMode ?? "BASE_PATH_MAPPING_ONLY",
      tags: input.tags ?? {},
    };
    t.domainNames.put(rec.domainName, rec);
    return domainOut(rec);
  },

  getDomainName(input, ctx) {
    return domainOut(getDomain(tables(ctx), input.domainName));
  },

  getDomainNames(input, ctx) {
    const all = tables(ctx)
      .domainNames.list()
      .map((e) => e.value);
    const out = page("GetDomainNames", all, (d) => d.domainName, input.position, input.limit);
    return { ...out, items: out.items.map(domainOut) };
  },

  updateDomainName(input, ctx) {
    const t = tables(ctx);
    const d: DomainNameRec = { ...getDomain(t, input.domainName) };
    const text = (path: string, set: (v: string | undefined) => void) => replaceOnly(path, set);
    applyPatches(input.patchOperations, {
      "/certificateName": text("/certificateName", (v) => (d.certificateName = v)),
      "/certificateArn": text("/certificateArn", (v) => {
        checkCertificateArn(v);
        d.certificateArn = v;
      }),
      "/regionalCertificateName": text("/regionalCertificateName", (v) => (d.regionalCertificateName = v)),
      "/regionalCertificateArn": text("/regionalCertificateArn", (v) => {
        checkCertificateArn(v);
        d.regionalCertificateArn = v;
      }),
      "/securityPolicy": text("/securityPolicy", (v) => {
        if (v !== "TLS_1_0" && v !== "TLS_1_2") throw new BadRequestException(`Invalid security policy: ${v}`); // unverified wording
        d.securityPolicy = v as SecurityPolicy;
      }),
      "/mutualTlsAuthentication/truststoreUri": text("/mutualTlsAuthentication/truststoreUri", (v) => {
        d.mutualTlsAuthentication = { ...d.mutualTlsAuthentication, truststoreUri: v };
      }),
      "/mutualTlsAuthentication/truststoreVersion": text("/mutualTlsAuthentication/truststoreVersion", (v) => {
        d.mutualTlsAuthentication = { ...d.mutualTlsAuthentication, truststoreVersion: v };
      }),
    });
    t.domainNames.put(d.domainName, d);
    return domainOut(d);
  },

  deleteDomainName(input, ctx) {
    const t = tables(ctx);
    getDomain(t, input.domainName);
    transaction(ctx, () => {
      for (const e of t.basePathMappings.list({ prefix: `${input.domainName}/` })) t.basePathMappings.delete(e.key);
      t.domainNames.delete(input.domainName);
    });
    return {};
  },

  createBasePathMapping(input, ctx) {
    const t = tables(ctx);
    getDomain(t, input.domainName);
    const basePath = basePathKey(input.basePath);
    checkBasePath(basePath);
    checkTarget(t, input.restApiId, input.stage);
    const rec: BasePathMappingRec = { basePath, restApiId: input.restApiId, ...(input.stage ? { stage: input.stage } : {}) };
    if (!t.basePathMappings.insert(`${input.domainName}/${basePath}`, rec)) throw new ConflictException("Base path already exists for this domain name"); // as in moto's tests
    return mappingOut(rec);
  },

  getBasePathMapping(input, ctx) {
    return mappingOut(getMapping(tables(ctx), input.domainName, input.basePath));
  },

  getBasePathMappings(input, ctx) {
    const t = tables(ctx);
    getDomain(t, input.domainName);
    const all = t.basePathMappings.list({ prefix: `${input.domainName}/` }).map((e) => e.value);
    const out = page("GetBasePathMappings", all, (m) => m.basePath, input.position, input.limit);
    return { ...out, items: out.items.map(mappingOut) };
  },

  updateBasePathMapping(input, ctx) {
    const t = tables(ctx);
    const old = getMapping(t, input.domainName, input.basePath);
    const m: BasePathMappingRec = { ...old };
    applyPatches(input.patchOperations, {
      "/basePath": replaceOnly("/basePath", (v) => (m.basePath = basePathKey(v))),
      "/restapiId": replaceOnly("/restapiId", (v) => (m.restApiId = v ?? "")),
      "/stage": replaceOnly("/stage", (v) => {
        if (v) m.stage = v;
        else delete m.stage;
      }),
    });
    checkBasePath(m.basePath);
    checkTarget(t, m.restApiId, m.stage);
    transaction(ctx, () => {
      if (m.basePath !== old.basePath) {
        if (t.basePathMappings.has(`${input.domainName}/${m.basePath}`)) throw new ConflictException("Base path already exists for this domain name");
        t.basePathMappings.delete(`${input.domainName}/${old.basePath}`);
      }
      t.basePathMappings.put(`${input.domainName}/${m.basePath}`, m);
    });
    return mappingOut(m);
  },

  deleteBasePathMapping(input, ctx) {
    const t = tables(ctx);
    const m = getMapping(t, input.domainName, input.basePath);
    t.basePathMappings.delete(`${input.domainName}/${m.basePath}`);
    return {};
  },

  ...clientCertificates,
} satisfies Partial<ApiGatewayApi>;
