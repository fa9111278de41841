// CloudFormation's own resource types (core/resources.ts's contract), declared in its registry entry like every
// service's: nested stacks, custom resources, wait conditions, macros and the CDK's metadata.
import type { ResourceProviders } from "../../core/resources.js";
import { macroProvider } from "./macros.js";
import { nestedStackProvider } from "./nested.js";

const providers: ResourceProviders = {
  "AWS::CloudFormation::Macro": macroProvider,
  "AWS::CloudFormation::Stack": nestedStackProvider,
};

export default providers;
