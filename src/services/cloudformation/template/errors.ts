// The three families of CloudFormation template errors, all a 400 ValidationError as AWS answers them.
import { ServiceError } from "../../../core/errors.js";

/** "Template format error: …" — the template's structure (parse, sections, references). */
export const formatError = (message: string) => new ServiceError("ValidationError", `Template format error: ${message}`, 400);
/** "Template error: …" — a misused intrinsic function or condition. */
export const templateError = (message: string) => new ServiceError("ValidationError", `Template error: ${message}`, 400);
/** A ValidationError worded in full by the caller (parameter errors carry no prefix on AWS). */
export const validationError = (message: string) => new ServiceError("ValidationError", message, 400);

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
