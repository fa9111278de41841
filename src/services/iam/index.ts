// Iam: the service at a glance.
import { defineService } from "../types.js";
import type { IamApi } from "./api.generated.js";

const handlers = {} satisfies Partial<IamApi>;

export default defineService({ name: "iam", handlers });
