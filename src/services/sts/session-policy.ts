// Session policies and tags passed to AssumeRole / GetFederationToken: JSON checks and PackedPolicySize.
import { nodeZlib } from "../../core/lazy.js";
import { MalformedPolicyDocumentException, PackedPolicyTooLargeException, type PolicyDescriptorType, type Tag } from "./api.generated.js";
import { validationError } from "./credentials.js";

// AWS packs session policies and tags into a binary form with its own limit and reports the share
// used as a percentage; the exact encoding is private, so Stratus compresses and scales to match its
// observed range (a small policy reports a single-digit percentage).
const PACKED_LIMIT_BYTES = 1400;

/** Parses a session policy, throwing MalformedPolicyDocument as STS does. Returns the minified text. */
export function checkSessionPolicy(policy: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    throw new MalformedPolicyDocumentException("The policy is not in the valid JSON format.");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new MalformedPolicyDocumentException("The policy is not in the valid JSON format.");
  const statement = (doc as Record<string, unknown>).Statement;
  if (statement === undefined) throw new MalformedPolicyDocumentException("Syntax errors in policy.");
  return JSON.stringify(doc);
}

/** Duplicate tag keys (compared case-insensitively, as STS does) are refused. */
export function checkTags(tags: Tag[] | undefined, transitiveTagKeys: string[] | undefined): void {
  const seen = new Set<string>();
  for (const t of tags ?? []) {
    const k = t.Key.toLowerCase();
    if (seen.has(k)) throw validationError("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    seen.add(k);
  }
  for (const k of transitiveTagKeys ?? []) {
    if (!seen.has(k.toLowerCase())) throw validationError("The specified transitive tag key must be included in the requested tags.");
  }
}

/** PackedPolicySize for the request, or undefined when no session policy, managed policy or tag was given. */
export function packedPolicySize(policy: string | undefined, policyArns: PolicyDescriptorType[] | undefined, tags: Tag[] | undefined): number | undefined {
  if (policy === undefined && !policyArns?.length && !tags?.length) return undefined;
  const parts = [policy ?? "", ...(policyArns ?? []).map((p) => p.arn ?? ""), ...(tags ?? []).map((t) => `${t.Key}=${t.Value}`)];
  const packed = nodeZlib().deflateRawSync(Buffer.from(parts.join("\u0000"))).length;
  const percent = Math.max(1, Math.ceil((packed * 100) / PACKED_LIMIT_BYTES));
  if (percent > 100) throw new PackedPolicyTooLargeException(`Packed policy consumes ${percent}% of allotted space, please use smaller policy.`);
  return percent;
}
