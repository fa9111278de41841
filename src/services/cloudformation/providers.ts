// CloudFormation's own resource types (core/resources.ts's contract), declared in its registry entry like every
// service's: nested stacks, custom resources, wait conditions, macros and the CDK's metadata.
import type { ResourceProviders } from "../../core/resources.js";
import { customProviders } from "./custom.js";
import { waitConditionProviders } from "./wait-condition.js";

const providers: ResourceProviders = { ...customProviders, ...waitConditionProviders };

export default providers;
