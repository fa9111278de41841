// The CloudFormation template language: parse, validate, resolve parameters, evaluate conditions and intrinsics.
export { evaluateConditions } from "./conditions.js";
export { formatError, templateError, validationError } from "./errors.js";
export { type EvalContext, evaluate, NO_VALUE, noExport, type PseudoParameters } from "./intrinsics.js";
export {
  type GivenParameter,
  isKnownParameterType,
  PARAMETER_TYPES,
  parameterValueDoesNotExist,
  type ResolvedParameter,
  type ResolveOptions,
  resolveParameters,
  shownParameters,
  ssmParametersNotFound,
} from "./parameters.js";
export { parseTemplate } from "./parse.js";
export { creationOrder, dependencies, PSEUDO_PARAMETERS, references, subVariables, validateTemplate, waves } from "./structure.js";
export type { OutputDecl, ParameterDecl, ResourceDecl, Template } from "./types.js";
