// Shared by Scheduler's tests: clients for one fresh account (EventBridge's too, as its queue helpers take them), a queue to receive what schedules deliver, a role ARN.
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { CreateScheduleCommand, type CreateScheduleCommandInput, SchedulerClient } from "@aws-sdk/client-scheduler";
import { SQSClient } from "@aws-sdk/client-sqs";
import { randomAccount, type TestServer } from "../../helpers/server.js";

export { queue, receive } from "../eventbridge/setup.js";

export interface Clients {
  account: string;
  sch: SchedulerClient;
  sqs: SQSClient;
  eb: EventBridgeClient;
  role: string;
}

export function clients(server: TestServer, account = randomAccount()): Clients {
  const cfg = server.clientConfig({ account });
  return { account, sch: new SchedulerClient(cfg), sqs: new SQSClient(cfg), eb: new EventBridgeClient(cfg), role: `arn:aws:iam::${account}:role/scheduler` };
}

/** `at(yyyy-mm-ddThh:mm:ss)` of an instant (UTC). */
export const atExpr = (t: number): string => `at(${new Date(t).toISOString().slice(0, 19)})`;

/** CreateSchedule with FlexibleTimeWindow OFF unless the input says otherwise. */
export const createSchedule = (
  c: Clients,
  input: Omit<CreateScheduleCommandInput, "FlexibleTimeWindow"> & Partial<Pick<CreateScheduleCommandInput, "FlexibleTimeWindow">>,
) => c.sch.send(new CreateScheduleCommand({ FlexibleTimeWindow: { Mode: "OFF" }, ...input }));
