// SQS errors: the model's shape name (JSON's __type) with the query API's code (AWS.SimpleQueueService.*) and status.
import { ServiceError } from "../../core/errors.js";

// SQS speaks JSON with awsQueryCompatible: __type names the shape (`com.amazonaws.sqs#QueueDoesNotExist`, the
// namespace declared in sqsWireTraits), x-amzn-query-error (and the query protocol's <Code>) carries the legacy code. ServiceError.code is what both of those write, so the
// code here is the query code and shapeName the model's shape (the SDK resolves either to its class).
const QUERY: Record<string, [code: string, status: number]> = {
  BatchEntryIdsNotDistinct: ["AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400],
  BatchRequestTooLong: ["AWS.SimpleQueueService.BatchRequestTooLong", 400],
  EmptyBatchRequest: ["AWS.SimpleQueueService.EmptyBatchRequest", 400],
  InvalidAddress: ["InvalidAddress", 404],
  InvalidAttributeName: ["InvalidAttributeName", 400],
  InvalidAttributeValue: ["InvalidAttributeValue", 400],
  InvalidBatchEntryId: ["AWS.SimpleQueueService.InvalidBatchEntryId", 400],
  InvalidMessageContents: ["InvalidMessageContents", 400],
  InvalidSecurity: ["InvalidSecurity", 403],
  MessageNotInflight: ["AWS.SimpleQueueService.MessageNotInflight", 400],
  OverLimit: ["OverLimit", 403],
  PurgeQueueInProgress: ["AWS.SimpleQueueService.PurgeQueueInProgress", 403],
  QueueDeletedRecently: ["AWS.SimpleQueueService.QueueDeletedRecently", 400],
  QueueDoesNotExist: ["AWS.SimpleQueueService.NonExistentQueue", 400],
  QueueNameExists: ["QueueAlreadyExists", 400],
  ReceiptHandleIsInvalid: ["ReceiptHandleIsInvalid", 404],
  RequestThrottled: ["RequestThrottled", 403],
  ResourceNotFoundException: ["ResourceNotFoundException", 404],
  TooManyEntriesInBatchRequest: ["AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400],
  UnsupportedOperation: ["AWS.SimpleQueueService.UnsupportedOperation", 400],
};

export type SqsErrorName = keyof typeof QUERY;

export function sqsError(shape: SqsErrorName, message: string): ServiceError {
  const [code, status] = QUERY[shape];
  return new ServiceError(code, message, status, { shapeName: shape, senderFault: true });
}

// Errors SQS returns that its model does not list: Coral's own, whose JSON __type is the Coral shape id and whose
// x-amzn-query-error (and query <Code>) is the query API's code. boto3 reports the header's code (Error.Code
// "InvalidParameterValue", QueryErrorCode "InvalidParameterValueException", as LocalStack's AWS-recorded
// tests/aws/services/sqs/test_sqs.snapshot.json shows, e.g. test_send_receive_max_number_of_messages[sqs]); the
// namespace is the one LocalStack's SqsJsonResponseSerializer notes AWS sends ("com.amazon.coral.service#
// InvalidParameterValueException", localstack-core/localstack/aws/protocol/serializer.py).
const CORAL = "com.amazon.coral.service";
export const invalidParameterValue = (message: string) =>
  new ServiceError("InvalidParameterValue", message, 400, { senderFault: true, shapeName: `${CORAL}#InvalidParameterValueException` });
// A queue policy's refusal: query code AccessDenied (403), Coral's AccessDeniedException as the JSON type (the same
// LocalStack serializer maps AccessDeniedException to the query code AccessDenied for SQS).
export const accessDenied = (message: string) =>
  new ServiceError("AccessDenied", message, 403, { senderFault: true, shapeName: `${CORAL}#AccessDeniedException` });
export const missingParameter = (message: string) =>
  new ServiceError("MissingParameter", message, 400, { senderFault: true, shapeName: `${CORAL}#MissingRequiredParameterException` });

export const queueDoesNotExist = () => sqsError("QueueDoesNotExist", "The specified queue does not exist.");
export const invalidAttributeName = (name: string, message = `Unknown Attribute ${name}.`) => sqsError("InvalidAttributeName", message);
export const invalidAttributeValue = (name: string, reason?: string) =>
  sqsError("InvalidAttributeValue", reason ? `Invalid value for the parameter ${name}. Reason: ${reason}` : `Invalid value for the parameter ${name}.`);
