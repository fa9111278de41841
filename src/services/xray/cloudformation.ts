// X-Ray's CloudFormation types, one loader for the registry entry: the sampling half's (AWS::XRay::SamplingRule,
// AWS::XRay::ResourcePolicy); the traces half adds AWS::XRay::Group here.
import type { ResourceProviders } from "../../core/resources.js";
import sampling from "./sampling/cloudformation.js";

export default { ...sampling } satisfies ResourceProviders;
