// IAM's policy checks on write: the grammar (core/policy/grammar.ts) as MalformedPolicyDocument, and policy size.
import { LimitExceededException, MalformedPolicyDocumentException } from "./api.generated.js";
import { policyGrammarError, type PolicyKind } from "../../core/policy/grammar.js";

/** Throws MalformedPolicyDocument with AWS's message when `text` breaks the grammar. */
export function checkPolicyDocument(text: string, kind: PolicyKind, partition = "aws"): void {
  const error = policyGrammarError(text, kind, partition);
  if (error) throw new MalformedPolicyDocumentException(error);
}

/** IAM counts policy size without whitespace; `quota` is AWS's name for the limit, e.g. "PolicySize". */
export function checkPolicySize(text: string, quota: string, max: number): void {
  if (text.replace(/\s/g, "").length > max) throw new LimitExceededException(`Cannot exceed quota for ${quota}: ${max}`);
}
