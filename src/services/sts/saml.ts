// AssumeRoleWithSAML: a base64 SAML 2.0 Response from an IdP registered as an IAM SAML provider (PrincipalArn), for a
// role whose trust policy names that provider (Principal {"Federated": <provider ARN>}, conditions on SAML:aud,
// SAML:sub, SAML:iss…). The call is unsigned, as on AWS.
//
// Checked: the assertion parses (InvalidIdentityToken); its Issuer is the provider metadata's entityID; it is meant
// for AWS (an AudienceRestriction naming https://signin.aws.amazon.com/saml or urn:amazon:webservices); it is within
// its NotBefore/NotOnOrAfter (ExpiredTokenException after); its https://aws.amazon.com/SAML/Attributes/Role attribute
// holds the "<role ARN>,<provider ARN>" pair asked for and RoleSessionName is present; the trust policy allows
// sts:AssumeRoleWithSAML (AccessDenied).
// NOT checked: the assertion's XML signature. Verifying it needs XML canonicalisation (exclusive C14N) and an XML-DSig
// implementation, and no maintained library for it is among Stratus's dependencies — so anyone who can write an
// assertion naming a registered IdP's issuer gets the role. Use it for local development and tests, not as a
// security boundary.
// Messages are unverified against AWS except "Not authorized to perform sts:AssumeRoleWithSAML".
import { createHash } from "node:crypto";
import { parseArn } from "../../core/arn.js";
import type { ConditionContext } from "../../core/policy/conditions.js";
import { evaluatePolicy } from "../../core/policy/evaluate.js";
import { findRoleByArn, findSamlProviderByArn, parseSamlXml, samlAttr, samlChild, samlChildren, samlText, type XmlNode } from "../iam/internal.js";
import type { StsApi } from "./api.generated.js";
import { ExpiredTokenException, InvalidIdentityTokenException } from "./api.generated.js";
import { accessDenied, validationError } from "./credentials.js";
import { federatedConditions, issueFederatedSession } from "./federation.js";

const ROLE_ARN = /^arn:(aws[\w-]*):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/;
const AWS_AUDIENCES = new Set(["https://signin.aws.amazon.com/saml", "urn:amazon:webservices"]);
const ROLE_ATTR = "https://aws.amazon.com/SAML/Attributes/Role";
const SESSION_NAME_ATTR = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
const DURATION_ATTR = "https://aws.amazon.com/SAML/Attributes/SessionDuration";
const DEFAULT_DURATION = 3600;

const invalid = (m: string) => new InvalidIdentityTokenException(m);
const notAuthorized = () => accessDenied("Not authorized to perform sts:AssumeRoleWithSAML");

function attributeValues(assertion: XmlNode, name: string): string[] {
  const out: string[] = [];
  for (const statement of samlChildren(assertion, "AttributeStatement")) {
    for (const a of samlChildren(statement, "Attribute")) {
      if (samlAttr(a, "Name") !== name) continue;
      for (const v of samlChildren(a, "AttributeValue")) out.push(samlText(v) ?? "");
    }
  }
  return out;
}

const FORMATS: Record<string, string> = {
  "urn:oasis:names:tc:SAML:2.0:nameid-format:transient": "transient",
  "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent": "persistent",
};

export const saml = {
  assumeRoleWithSAML(input, ctx) {
    const { RoleArn, PrincipalArn, SAMLAssertion, Policy, PolicyArns } = input;
    if (!parseArn(RoleArn)) throw validationError(`${RoleArn} is invalid`);
    const parsed = ROLE_ARN.exec(RoleArn);
    if (!parsed) throw notAuthorized();
    const [, partition, roleAccount] = parsed;

    const xml = Buffer.from(SAMLAssertion, "base64").toString("utf8");
    const doc = parseSamlXml(xml);
    const response = samlChild(doc, "Response");
    const assertion = samlChild(response, "Assertion");
    if (!response || !assertion) throw invalid("Invalid SAML response: not a base64-encoded SAML 2.0 Response with an Assertion.");

    const provider = findSamlProviderByArn(ctx, PrincipalArn);
    if (!provider) throw invalid(`SAML provider ${PrincipalArn} was not found.`);
    const issuer = samlText(samlChild(assertion, "Issuer")) ?? samlText(samlChild(response, "Issuer"));
    if (issuer !== provider.entityId) throw invalid("Issuer not present in specified provider");

    const now = ctx.now();
    const conditions = samlChild(assertion, "Conditions");
    const audiences = samlChildren(conditions, "AudienceRestriction").flatMap((r) => samlChildren(r, "Audience").map((a) => samlText(a) ?? ""));
    if (!audiences.some((a) => AWS_AUDIENCES.has(a))) throw invalid("The assertion's audience is not https://signin.aws.amazon.com/saml.");
    const notBefore = Date.parse(samlAttr(conditions, "NotBefore") ?? "");
    if (!Number.isNaN(notBefore) && now < notBefore) throw invalid("The assertion is not yet valid (NotBefore).");
    const subject = samlChild(assertion, "Subject");
    const confirmation = samlChild(samlChild(subject, "SubjectConfirmation"), "SubjectConfirmationData");
    for (const limit of [samlAttr(conditions, "NotOnOrAfter"), samlAttr(confirmation, "NotOnOrAfter")]) {
      const t = Date.parse(limit ?? "");
      if (!Number.isNaN(t) && now >= t) throw new ExpiredTokenException("Token must be redeemed within 5 minutes of issuance");
    }

    const pairs = attributeValues(assertion, ROLE_ATTR).map((v) => v.split(",").map((s) => s.trim()));
    if (!pairs.some((p) => p.length === 2 && p.includes(RoleArn) && p.includes(PrincipalArn))) {
      throw invalid("SAML Assertion doesn't contain the requested Role and Metadata in the attributes");
    }
    const sessionName = attributeValues(assertion, SESSION_NAME_ATTR)[0];
    if (!sessionName || !/^[\w+=,.@-]{2,64}$/.test(sessionName)) throw invalid("SAML Assertion must contain a valid RoleSessionName attribute.");

    const nameId = samlChild(subject, "NameID");
    const sub = samlText(nameId) ?? "";
    const format = samlAttr(nameId, "Format") ?? "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
    const subType = FORMATS[format] ?? format;
    const recipient = samlAttr(confirmation, "Recipient") ?? "https://signin.aws.amazon.com/saml";
    // AWS's documented NameQualifier: base64(SHA-1(issuer + account id + "/" + provider name)).
    const nameQualifier = createHash("sha1").update(`${issuer}${roleAccount}/${provider.name}`).digest("base64");

    const role = findRoleByArn(ctx, roleAccount, RoleArn);
    if (!role) throw notAuthorized();
    const context: ConditionContext = {
      ...federatedConditions(ctx, provider.arn),
      "saml:aud": recipient,
      "saml:sub": sub,
      "saml:sub_type": subType,
      "saml:iss": issuer,
      "saml:namequalifier": nameQualifier,
    };
    const decision = evaluatePolicy(role.assumeRolePolicyDocument, {
      caller: { type: "federated", provider: provider.arn },
      action: "sts:AssumeRoleWithSAML",
      resource: role.arn,
      context,
    });
    if (decision !== "Allow") throw notAuthorized();

    const attrDuration = Number(attributeValues(assertion, DURATION_ATTR)[0]);
    const duration = input.DurationSeconds ?? (Number.isInteger(attrDuration) && attrDuration > 0 ? attrDuration : DEFAULT_DURATION);
    const issued = issueFederatedSession(ctx, {
      kind: "AssumeRoleWithSAML",
      role,
      partition,
      roleAccount,
      sessionName,
      durationSeconds: duration,
      Policy,
      PolicyArns,
    });
    return {
      Credentials: issued.Credentials,
      AssumedRoleUser: issued.AssumedRoleUser,
      Subject: sub,
      SubjectType: subType,
      Issuer: issuer,
      Audience: recipient,
      NameQualifier: nameQualifier,
      ...(issued.PackedPolicySize !== undefined ? { PackedPolicySize: issued.PackedPolicySize } : {}),
    };
  },
} satisfies Partial<StsApi>;
