// Parameter values: given, previous or default, checked against the declaration's type and constraints.
//
// Wordings: "Parameters: [X] must have values", "Parameters: [X] do not exist in the template", "Parameter 'X'
// must be one of AllowedValues", "Parameter 'X' must be a number not less than N" and "Parameter validation
// failed: parameter value V for parameter name X does not exist." are AWS answers recorded in public reports
// and stack event dumps (e.g. a rosa CLI log: "api error ValidationError: Parameter 'AvailabilityZoneCount' must
// be a number not less than 1"). The length, pattern and number texts follow the same template as Eucalyptus's
// CloudFormation (TemplateParser.java), which copied AWS's; AWS sends them without its "Template error: " prefix.
// "failed to satisfy constraint: <ConstraintDescription>" and the UsePreviousValue texts are unverified.
import { formatError, validationError } from "./errors.js";
import type { ParameterDecl, Template } from "./types.js";

const AWS_TYPES = [
  "AWS::EC2::AvailabilityZone::Name",
  "AWS::EC2::Image::Id",
  "AWS::EC2::Instance::Id",
  "AWS::EC2::KeyPair::KeyName",
  "AWS::EC2::SecurityGroup::GroupName",
  "AWS::EC2::SecurityGroup::Id",
  "AWS::EC2::Subnet::Id",
  "AWS::EC2::Volume::Id",
  "AWS::EC2::VPC::Id",
  "AWS::Route53::HostedZone::Id",
];
/** Every parameter type AWS accepts except the SSM value types, which wrap one of these (see isKnownParameterType). */
export const PARAMETER_TYPES: ReadonlySet<string> = new Set([
  "String",
  "Number",
  "List<Number>",
  "CommaDelimitedList",
  "AWS::SSM::Parameter::Name",
  ...AWS_TYPES,
  ...AWS_TYPES.filter((t) => t !== "AWS::EC2::KeyPair::KeyName").map((t) => `List<${t}>`),
]);
const SSM_VALUE = /^AWS::SSM::Parameter::Value<(.+)>$/;

export function isKnownParameterType(type: string): boolean {
  const ssm = SSM_VALUE.exec(type);
  if (ssm) return ssm[1] === "String" || ssm[1] === "List<String>" || (PARAMETER_TYPES.has(ssm[1]) && !ssm[1].startsWith("AWS::SSM"));
  return PARAMETER_TYPES.has(type);
}

/** The type a value is checked and referenced as: the SSM value types as what they hold. */
const valueType = (type: string) => SSM_VALUE.exec(type)?.[1] ?? type;
const isListType = (type: string) => {
  const t = valueType(type);
  return t === "CommaDelimitedList" || t.startsWith("List<");
};

export interface GivenParameter {
  ParameterKey?: string;
  ParameterValue?: string;
  UsePreviousValue?: boolean;
}

export interface ResolvedParameter {
  type: string;
  /** The value as given (or defaulted): what DescribeStacks shows as ParameterValue (masked if noEcho). */
  value: string;
  /** For the SSM value types, the value read from Parameter Store (DescribeStacks' ResolvedValue). */
  resolvedValue?: string;
  /** What Ref returns: a string, or a list for the list types. */
  ref: string | string[];
  noEcho: boolean;
}

export interface ResolveOptions {
  /** Reads SSM parameters for the AWS::SSM::Parameter::Value<…> types; it throws AWS's error when one is missing
   *  (see ssmParametersNotFound). Without it those parameters keep the parameter name as their value. */
  resolveSsm?: (name: string) => string | Promise<string>;
  /** Checks an AWS-specific type's value where Stratus runs the service (e.g. a key pair exists); it throws
   *  parameterValueDoesNotExist when not. Without it those values are accepted as strings. */
  checkAwsValue?: (type: string, value: string, name: string) => void | Promise<void>;
}

export const parameterValueDoesNotExist = (name: string, value: string) =>
  validationError(`Parameter validation failed: parameter value ${value} for parameter name ${name} does not exist.`);
/** Unverified wording (AWS's answer for a missing SSM parameter, as commonly reported). */
export const ssmParametersNotFound = (names: string[]) =>
  validationError(`Unable to fetch parameters [${names.join(",")}] from parameter store for this account.`);

const num = (v: unknown): number | undefined => (v === undefined || v === null || v === "" ? undefined : Number(v));
const isNumber = (s: string) => s.trim() !== "" && Number.isFinite(Number(s));
const truthy = (v: unknown) => v === true || v === "true" || v === "True";

/** Resolves every declared parameter from the given values, the previous stack's values and the defaults,
 *  checking types and constraints in declaration order. */
export async function resolveParameters(
  template: Template,
  given: GivenParameter[] = [],
  previous: Record<string, string> = {},
  options: ResolveOptions = {},
): Promise<Record<string, ResolvedParameter>> {
  const decls = template.Parameters ?? {};
  const unknown = given.map((g) => g.ParameterKey ?? "").filter((k) => !(k in decls));
  if (unknown.length) throw validationError(`Parameters: [${unknown.join(", ")}] do not exist in the template`);

  const values = new Map<string, string>();
  for (const g of given) {
    const key = g.ParameterKey ?? "";
    if (g.UsePreviousValue) {
      if (g.ParameterValue !== undefined && g.ParameterValue !== "") {
        throw validationError(`Invalid input for parameter key ${key}. Cannot specify usePreviousValue as true and non empty value for a parameter key`);
      }
      if (!(key in previous)) {
        throw validationError(
          `Invalid input for parameter key ${key}. Cannot specify usePreviousValue as true for a parameter key not in the previous template`,
        );
      }
      values.set(key, previous[key]);
    } else if (g.ParameterValue !== undefined) values.set(key, g.ParameterValue);
  }
  const missing: string[] = [];
  for (const [name, d] of Object.entries(decls)) {
    if (values.has(name)) continue;
    if (d.Default !== undefined && d.Default !== null) values.set(name, Array.isArray(d.Default) ? d.Default.join(",") : String(d.Default));
    else missing.push(name);
  }
  if (missing.length) throw validationError(`Parameters: [${missing.join(", ")}] must have values`);

  const out: Record<string, ResolvedParameter> = {};
  for (const [name, d] of Object.entries(decls)) {
    const value = values.get(name)!;
    const resolved: ResolvedParameter = { type: d.Type, value, ref: value, noEcho: truthy(d.NoEcho) };
    let effective = value;
    if (SSM_VALUE.test(d.Type)) {
      if (options.resolveSsm) effective = resolved.resolvedValue = await options.resolveSsm(value);
    } else checkConstraints(name, d, value);
    if (isListType(d.Type)) {
      resolved.ref = effective === "" ? [] : effective.split(",").map((s) => s.trim());
      if (valueType(d.Type) === "List<Number>") for (const v of resolved.ref) if (!isNumber(v)) throw constraint(name, d, `must be a number`);
    } else resolved.ref = effective;
    const t = valueType(d.Type);
    if (options.checkAwsValue && (t.startsWith("AWS::") || t.startsWith("List<AWS::"))) {
      for (const v of Array.isArray(resolved.ref) ? resolved.ref : [resolved.ref]) await options.checkAwsValue(d.Type, v, name);
    }
    out[name] = resolved;
  }
  return out;
}

const constraint = (name: string, d: ParameterDecl, generic: string) =>
  validationError(d.ConstraintDescription ? `Parameter '${name}' failed to satisfy constraint: ${d.ConstraintDescription}` : `Parameter '${name}' ${generic}`);

function checkConstraints(name: string, d: ParameterDecl, value: string): void {
  const list = isListType(d.Type);
  const items = list ? (value === "" ? [] : value.split(",").map((s) => s.trim())) : [value];
  if (Array.isArray(d.AllowedValues)) {
    const allowed = d.AllowedValues.map(String);
    for (const v of items) if (!allowed.includes(v)) throw validationError(`Parameter '${name}' must be one of AllowedValues`);
  }
  if (d.AllowedPattern !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${d.AllowedPattern})$`, "u");
    } catch {
      throw formatError(`Parameter '${name}' AllowedPattern must be a valid regular expression.`); // unverified
    }
    for (const v of items) if (!re.test(v)) throw constraint(name, d, `must match pattern ${d.AllowedPattern}`);
  }
  if (d.Type === "String") {
    const min = num(d.MinLength);
    const max = num(d.MaxLength);
    if (min !== undefined && value.length < min) throw constraint(name, d, `must contain at least ${min} characters`);
    if (max !== undefined && value.length > max) throw constraint(name, d, `must contain at most ${max} characters`);
  }
  if (d.Type === "Number") {
    if (!isNumber(value)) throw constraint(name, d, "must be a number");
    const n = Number(value);
    const min = num(d.MinValue);
    const max = num(d.MaxValue);
    if (min !== undefined && n < min) throw constraint(name, d, `must be a number not less than ${min}`);
    if (max !== undefined && n > max) throw constraint(name, d, `must be a number not greater than ${max}`);
  }
}

/** Parameters as DescribeStacks shows them: NoEcho values masked as `****`, as AWS does everywhere it shows one. */
export const shownParameters = (resolved: Record<string, ResolvedParameter>) =>
  Object.entries(resolved).map(([key, p]) => ({
    ParameterKey: key,
    ParameterValue: p.noEcho ? "****" : p.value,
    ...(p.resolvedValue !== undefined ? { ResolvedValue: p.noEcho ? "****" : p.resolvedValue } : {}),
  }));
