// X-Ray's CloudFormation types, one loader for the registry entry: the sampling half's (AWS::XRay::SamplingRule,
// AWS::XRay::ResourcePolicy) and the traces half's (AWS::XRay::Group).
import type { ResourceProviders } from "../../core/resources.js";
import sampling from "./sampling/cloudformation.js";
import traces from "./traces/cloudformation.js";

export default { ...sampling, ...traces } satisfies ResourceProviders;
