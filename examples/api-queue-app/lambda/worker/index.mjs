// The worker: fed by the orders queue through an event source mapping (batches of up to 5). Each order is logged as
// one JSON line (CloudWatch Logs, the function's log group); a record that fails is reported back as a batch item
// failure so that only it returns to the queue (and, after three receives, to the dead-letter queue).
export const handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    try {
      const order = JSON.parse(record.body);
      if (!order.orderId) throw new Error("not an order");
      const signature = record.messageAttributes?.signature?.stringValue;
      console.log(JSON.stringify({ event: "order-processed", orderId: order.orderId, items: order.items.length, signed: Boolean(signature) }));
    } catch (err) {
      console.error(`message ${record.messageId}: ${err.message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
