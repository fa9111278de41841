// CloudFormation's own resource types (core/resources.ts's contract), declared in its registry entry like every
// service's: nested stacks, custom resources, wait conditions, macros and the CDK's metadata.
import type { ResourceProviders } from "../../core/resources.js";
import { customProviders } from "./custom.js";
import { macroProvider } from "./macros.js";
import { nestedStackProvider } from "./nested.js";
import { waitConditionProviders } from "./wait-condition.js";

const providers: ResourceProviders = {
  ...customProviders,
  ...waitConditionProviders,
  "AWS::CloudFormation::Macro": macroProvider,
  "AWS::CloudFormation::Stack": nestedStackProvider,
};

export default providers;
