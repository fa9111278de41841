// CloudFormation's peer module: what AWS's resource registry offers other services — Cloud Control answers from the
// same registry schemas (which types exist, their properties, read-only and create-only ones) and validates a
// desired state as CloudFormation validates a template's resource. Imports types.ts only (core beneath it).
export { readOnlyProperties, replacementProperties, typeExists, typeSchema, validateProperties } from "./types.js";
