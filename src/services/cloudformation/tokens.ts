// ClientRequestToken on the stack operations (CreateStack, UpdateStack, DeleteStack, ExecuteChangeSet, RollbackStack,
// ContinueUpdateRollback, CancelUpdateStack). AWS (API reference): "Specify this token if you plan to retry requests so
// that CloudFormation knows that you're not attempting to create a stack with the same name. You might retry
// CreateStack requests to ensure that CloudFormation successfully received them. All events initiated by a given
// stack operation are assigned the same client request token". So the operation's token is the stack's
// (StackRec.clientRequestToken, which Engine.event stamps on every event it causes), and a retry — the same
// operation, the same token, the same input — is answered as the first call was, not refused as a second one
// (AlreadyExists, "No updates are to be performed."). The token reused for another request on that stack is
// TokenAlreadyExistsException, the error AWS's model lists for these operations ("A client request token already
// exists.").
import { fingerprint } from "../../core/paging.js";
import type { HandlerContext } from "../../core/context.js";
import { TokenAlreadyExistsException } from "./api.generated.js";
import { cfnState } from "./state.js";

type Input = { ClientRequestToken?: string };

/** A fingerprint of a request's input (key order aside), its token left out. */
function inputPrint(operation: string, input: Input): string {
  const { ClientRequestToken: _token, ...rest } = input as Record<string, unknown>;
  return fingerprint([operation, rest]);
}

const keyOf = (stack: string, token: string) => `${stack}\u0000${token}`;

/**
 * The first call's answer when this is a retry of it (same operation, token and input on the same stack name or
 * id); undefined when the token is new (or the call has none). The token used for something else: AWS's error.
 */
export function retried<A>(ctx: HandlerContext, operation: string, stack: string, input: Input): A | undefined {
  const token = input.ClientRequestToken;
  if (!token) return undefined;
  const t = cfnState.of(ctx);
  const rec = t.requestTokens.get(keyOf(stack, token));
  if (!rec) return undefined;
  // A stack deleted since: its name is free again, and so is the token for a new stack of that name.
  const stackId = typeof rec.answer.StackId === "string" ? rec.answer.StackId : undefined;
  if (operation === "CreateStack" && stackId && t.names.get(stack) !== stackId) {
    t.requestTokens.delete(keyOf(stack, token));
    return undefined;
  }
  if (rec.operation === operation && rec.fingerprint === inputPrint(operation, input)) return rec.answer as A;
  // The API reference's description of the error; unverified as the message AWS answers.
  throw new TokenAlreadyExistsException("A client request token already exists.");
}

/** Records a request's token and its answer (after it succeeded), for retries; returns the answer. */
export function remember<A extends object>(ctx: HandlerContext, operation: string, stack: string, input: Input, answer: A): A {
  const token = input.ClientRequestToken;
  if (token) {
    cfnState.of(ctx).requestTokens.put(keyOf(stack, token), {
      operation,
      fingerprint: inputPrint(operation, input),
      answer: answer as Record<string, unknown>,
      timestamp: ctx.now(),
    });
  }
  return answer;
}
