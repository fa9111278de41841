// Where SQS accepts more than its model's enums say, each with its source: the generic validation does not refuse
// these values (runtime.dispatch leaves them out of the model check); the handler reads them.
import type { Relaxations } from "../../core/service.js";
import { SYSTEM_NAMES } from "./system-attributes.js";

// The message-system attribute names, and "All".
const MESSAGE_SYSTEM_NAMES = new Set(["All", ...SYSTEM_NAMES]);

export const sqsRelaxations: Relaxations = {
  ReceiveMessage: {
    // The deprecated AttributeNames is modeled as queue attribute names, but SQS reads it as the message-system
    // names MessageSystemAttributeNames took over ("SentTimestamp", "ApproximateFirstReceiveTimestamp"…), and most
    // code written before 2024 sends them there. Source: the SQS API reference, ReceiveMessage, AttributeNames
    // ("A list of attributes that need to be returned along with each message … ApproximateFirstReceiveTimestamp,
    // ApproximateReceiveCount, AWSTraceHeader, SenderId, SentTimestamp, SqsManagedSseEnabled, MessageDeduplicationId,
    // MessageGroupId, SequenceNumber"), https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
    AttributeNames: (v) => MESSAGE_SYSTEM_NAMES.has(v) || v === "SqsManagedSseEnabled",
  },
};
