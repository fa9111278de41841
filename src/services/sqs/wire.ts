// SQS over the query protocol: its JSON model lost the query wire names, so query requests use a copy with them put back.
import type { ServiceModel, WireTraits } from "../../core/model.js";
import type { Exchange } from "../../core/exchange.js";
import type { Quirk } from "../../core/service.js";

// SQS moved to JSON 1.0 (awsQueryCompatible) in 2023, and botocore's model dropped the query names older clients
// (AWS CLI v2 builds before that, SDKs of the time, hand-written form posts) still send and expect:
// flattened `Attribute.1.Name`, `MessageAttribute.N`, `<QueueUrl>` items, `<Message>` entries, Tag/TagKey.
// These are the names from the last query-protocol model (botocore sqs 2012-11-05, protocol "query").
const SHAPES: Record<string, { member?: string; key?: string; value?: string; locationName?: string }> = {
  AWSAccountIdList: { member: "AWSAccountId" },
  ActionNameList: { member: "ActionName" },
  AttributeNameList: { member: "AttributeName" },
  BatchResultErrorEntryList: { member: "BatchResultErrorEntry" },
  BinaryList: { member: "BinaryListValue" },
  ChangeMessageVisibilityBatchRequestEntryList: { member: "ChangeMessageVisibilityBatchRequestEntry" },
  ChangeMessageVisibilityBatchResultEntryList: { member: "ChangeMessageVisibilityBatchResultEntry" },
  DeleteMessageBatchRequestEntryList: { member: "DeleteMessageBatchRequestEntry" },
  DeleteMessageBatchResultEntryList: { member: "DeleteMessageBatchResultEntry" },
  MessageAttributeNameList: { member: "MessageAttributeName" },
  MessageBodyAttributeMap: { key: "Name", value: "Value" },
  MessageBodySystemAttributeMap: { key: "Name", value: "Value" },
  MessageList: { member: "Message" },
  MessageSystemAttributeMap: { key: "Name", value: "Value", locationName: "Attribute" },
  QueueAttributeMap: { key: "Name", value: "Value", locationName: "Attribute" },
  QueueUrlList: { member: "QueueUrl" },
  SendMessageBatchRequestEntryList: { member: "SendMessageBatchRequestEntry" },
  SendMessageBatchResultEntryList: { member: "SendMessageBatchResultEntry" },
  StringList: { member: "StringListValue" },
  TagKeyList: { member: "TagKey" },
  TagMap: { key: "Key", value: "Value", locationName: "Tag" },
  // Added after the move to JSON; named as AWS's query endpoint names them.
  MessageSystemAttributeList: { member: "MessageSystemAttributeName" },
  ListMessageMoveTasksResultEntryList: { member: "ListMessageMoveTasksResultEntry" },
};

const MEMBERS: Record<string, string> = {
  "CreateQueueRequest.Attributes": "Attribute",
  "CreateQueueRequest.tags": "Tag",
  "GetQueueAttributesResult.Attributes": "Attribute",
  "ListQueueTagsResult.Tags": "Tag",
  "Message.Attributes": "Attribute",
  "Message.MessageAttributes": "MessageAttribute",
  "MessageAttributeValue.StringListValues": "StringListValue",
  "MessageAttributeValue.BinaryListValues": "BinaryListValue",
  "MessageSystemAttributeValue.StringListValues": "StringListValue",
  "MessageSystemAttributeValue.BinaryListValues": "BinaryListValue",
  "SendMessageBatchRequestEntry.MessageAttributes": "MessageAttribute",
  "SendMessageBatchRequestEntry.MessageSystemAttributes": "MessageSystemAttribute",
  "SendMessageRequest.MessageAttributes": "MessageAttribute",
  "SendMessageRequest.MessageSystemAttributes": "MessageSystemAttribute",
  "SetQueueAttributesRequest.Attributes": "Attribute",
};

const cache = new WeakMap<ServiceModel, ServiceModel>();

/** The SQS model with its query-protocol names restored (built once per model). */
export function sqsQueryModel(model: ServiceModel): ServiceModel {
  let q = cache.get(model);
  if (q) return q;
  q = structuredClone(model);
  q.metadata.xmlNamespace = "http://queue.amazonaws.com/doc/2012-11-05/";
  for (const [name, patch] of Object.entries(SHAPES)) {
    const s = q.shapes[name];
    if (!s) continue;
    if (patch.member && s.member) s.member.locationName = patch.member;
    if (patch.key && s.key) s.key.locationName = patch.key;
    if (patch.value && s.value) s.value.locationName = patch.value;
    if (patch.locationName) s.locationName = patch.locationName;
  }
  for (const [path, locationName] of Object.entries(MEMBERS)) {
    const [shape, member] = path.split(".");
    const ref = q.shapes[shape]?.members?.[member];
    if (ref) ref.locationName = locationName;
  }
  cache.set(model, q);
  return q;
}

export const sqsQuirk: Quirk = {
  // Runs right after the service and codec are known, so routing, parsing, validation, output and errors all see it.
  beforeAuth(x: Exchange) {
    if (x.codec?.name === "query" && x.model) x.model = sqsQueryModel(x.model);
  },
};

/**
 * SQS answers JSON errors with the full Smithy shape id: `{"__type":"com.amazonaws.sqs#QueueDoesNotExist", ...}`
 * beside `x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender`. Sources: the SQS client of the AWS SDK
 * for JavaScript v3 matches "com.amazonaws.sqs#QueueDoesNotExist" (its shape id, `static shapeId`, in
 * @aws-sdk/client-sqs), and LocalStack's serializer notes AWS's "com.amazonaws.sqs#BatchRequestTooLong"
 * (localstack-core/localstack/aws/protocol/serializer.py, SqsJsonResponseSerializer).
 */
export const sqsWireTraits: WireTraits = { errorNamespace: "com.amazonaws.sqs" };
