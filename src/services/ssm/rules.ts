// Parameter Store's rules beyond the model: names and hierarchies, tiers and value sizes, policies, data types, labels.
import {
  AccessDeniedException,
  HierarchyLevelLimitExceededException,
  IncompatiblePolicyException,
  InvalidAllowedPatternException,
  InvalidPolicyAttributeException,
  InvalidPolicyTypeException,
  ParameterPatternMismatchException,
  PoliciesLimitExceededException,
  ValidationException,
} from "./api.generated.js";
import type { ParameterInlinePolicy, ParameterTier } from "./api.generated.js";

const PATH_RULES =
  "If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_";

/** PutParameter's name rules: characters, the reserved aws/ssm prefixes, a fully qualified path, 15 levels, ARN length. */
export function checkName(name: string, arnLength: number): void {
  const reserved = /^\/?(aws|ssm)/i.test(name);
  const isPath = name.includes("/");
  if (reserved) {
    // Under /aws/ live AWS's public parameters: AWS refuses writes there as an access matter.
    if (/^\/aws\//i.test(name)) throw new AccessDeniedException(`No access to reserved parameter name: ${name}.`);
    throw new ValidationException(
      isPath
        ? `Parameter name: can't be prefixed with "ssm" (case-insensitive). ${PATH_RULES}`
        : `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`,
    );
  }
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) {
    throw new ValidationException(`Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). ${PATH_RULES}`);
  }
  if (isPath && (!name.startsWith("/") || name.endsWith("/") || name.includes("//"))) {
    throw new ValidationException("Parameter name must be a fully qualified name.");
  }
  const levels = isPath ? name.split("/").length - 1 : 1;
  if (levels > 15) {
    throw new HierarchyLevelLimitExceededException(
      "A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints for parameter names in the AWS Systems Manager User Guide.",
    );
  }
  // AWS counts the whole ARN against 1011 characters.
  if (arnLength > 1011) {
    throw new ValidationException("Parameter name: can't be longer than 1011 characters including the parameter ARN.");
  }
}

/** A path argument (GetParametersByPath, the Path filter): fully qualified, the same characters as a name. */
export function checkPath(path: string): void {
  if (path === "/") return;
  if (!path.startsWith("/") || path.includes("//") || !/^[a-zA-Z0-9_.\-/]+$/.test(path)) {
    throw new ValidationException(
      'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/". ' +
        'It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). ' +
        'Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.',
    );
  }
}

export const STANDARD_MAX = 4096;
export const ADVANCED_MAX = 8192;

/**
 * The tier a put lands in: Intelligent-Tiering picks Standard unless the value or policies need Advanced; an Advanced
 * parameter never goes back to Standard; the value must fit the tier.
 */
export function resolveTier(requested: ParameterTier | undefined, existing: ParameterTier | undefined, value: string, hasPolicies: boolean): ParameterTier {
  let tier: ParameterTier = requested ?? existing ?? "Standard";
  if (tier === "Intelligent-Tiering") tier = value.length > STANDARD_MAX || hasPolicies || existing === "Advanced" ? "Advanced" : "Standard";
  if (tier === "Standard" && existing === "Advanced") {
    throw new ValidationException(
      "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
    );
  }
  if (tier === "Standard" && value.length > STANDARD_MAX) {
    throw new ValidationException(
      `Standard tier parameters support a maximum parameter value of ${STANDARD_MAX} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html`,
    );
  }
  if (value.length > ADVANCED_MAX) {
    throw new ValidationException(`Advanced tier parameters support a maximum parameter value of ${ADVANCED_MAX} characters.`);
  }
  if (tier === "Standard" && hasPolicies) {
    throw new ValidationException(
      "Parameter policies are only supported for advanced-tier parameters. Set the tier to Advanced or Intelligent-Tiering and try again.",
    );
  }
  return tier;
}

const POLICY_TYPES = ["Expiration", "ExpirationNotification", "NoChangeNotification"];

/** Parses PutParameter's Policies JSON into the inline policies AWS reports (each "Pending" until evaluated). */
export function parsePolicies(text: string): ParameterInlinePolicy[] {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw new InvalidPolicyAttributeException("Invalid policies input: the policies must be a JSON array of policy objects.");
  }
  if (!Array.isArray(list)) throw new InvalidPolicyAttributeException("Invalid policies input: the policies must be a JSON array of policy objects.");
  if (list.length > 10) throw new PoliciesLimitExceededException("A parameter can have a maximum of 10 policies.");
  const seen = new Set<string>();
  return list.map((p) => {
    if (typeof p !== "object" || p === null) throw new InvalidPolicyAttributeException("Invalid policies input: each policy must be a JSON object.");
    const { Type, Version, Attributes } = p as { Type?: unknown; Version?: unknown; Attributes?: unknown };
    if (typeof Type !== "string" || !POLICY_TYPES.includes(Type)) {
      throw new InvalidPolicyTypeException(`Invalid policy type: ${String(Type)}. Valid policy types are: ${POLICY_TYPES.join(", ")}.`);
    }
    if (seen.has(Type)) throw new IncompatiblePolicyException(`A parameter can have only one ${Type} policy.`);
    seen.add(Type);
    if (Version !== undefined && Version !== "1.0")
      throw new InvalidPolicyAttributeException(`Invalid policy version: ${String(Version)}. The supported version is 1.0.`);
    const attrs = (typeof Attributes === "object" && Attributes !== null ? Attributes : {}) as Record<string, unknown>;
    checkPolicyAttributes(Type, attrs);
    return { PolicyText: JSON.stringify(p), PolicyType: Type, PolicyStatus: "Pending" };
  });
}

function checkPolicyAttributes(type: string, attrs: Record<string, unknown>): void {
  const bad = (what: string) => new InvalidPolicyAttributeException(`Invalid ${type} policy attribute: ${what}.`);
  if (type === "Expiration") {
    const ts = attrs.Timestamp;
    if (typeof ts !== "string" || Number.isNaN(Date.parse(ts))) throw bad("Timestamp must be an ISO 8601 date and time");
    return;
  }
  const key = type === "ExpirationNotification" ? "Before" : "After";
  const n = attrs[key];
  if (!(typeof n === "number" || (typeof n === "string" && /^\d+$/.test(n))) || Number(n) <= 0) throw bad(`${key} must be a positive integer`);
  if (attrs.Unit !== "Days" && attrs.Unit !== "Hours") throw bad("Unit must be Days or Hours");
}

const DATA_TYPES = ["text", "aws:ec2:image", "aws:ssm:integration"];

export function checkDataType(dataType: string, value: string): void {
  if (!DATA_TYPES.includes(dataType)) {
    throw new ValidationException(`The following data type is not supported: ${dataType} (Data type names are all lowercase.)`);
  }
  // AWS checks the AMI exists asynchronously; here only its shape is checked.
  if (dataType === "aws:ec2:image" && !/^ami-[0-9a-f]{8,17}$/.test(value)) {
    throw new ValidationException(`Parameter value, ${value}, is not in the correct format for data type aws:ec2:image.`);
  }
}

export function checkAllowedPattern(pattern: string | undefined, value: string): void {
  if (pattern === undefined || pattern === "") return;
  let re: RegExp;
  try {
    re = new RegExp(pattern, "u");
  } catch {
    try {
      re = new RegExp(pattern);
    } catch {
      throw new InvalidAllowedPatternException(`The request does not meet the regular expression requirement: ${pattern}`);
    }
  }
  // AWS applies the pattern as written (its examples anchor with ^…$ themselves).
  if (!re.test(value)) throw new ParameterPatternMismatchException(`Parameter value, cannot be validated against allowedPattern: ${pattern}`);
}

/** A label AWS refuses: an aws/ssm prefix, a leading digit, characters outside letters, digits, . - _ */
export const invalidLabel = (label: string) => /^(aws|ssm)/i.test(label) || /^\d/.test(label) || !/^[a-zA-Z0-9_.-]+$/.test(label) || label.length > 100;
