// S3 semantics the generic rest-xml handling cannot take from the model: GetObject's 206 for a range (the model
// has no status member), GetBucketLocation's bare <LocationConstraint> root (botocore reads its text), and
// input validation in S3's words.
import { ServiceError } from "../../../core/errors.js";
import { validationErrors } from "../../../core/validate.js";
import type { Exchange } from "../../../core/exchange.js";
import type { ServiceModel } from "../../../core/model.js";
import { escapeXml } from "../../../protocols/shared.js";
import { XML_DECLARATION } from "../../../protocols/xml.js";

export function s3ResponseShape(x: Exchange): void {
  const r = x.response;
  if (!r || x.error || !x.output) return;
  // A range or a part: 206 for HEAD as for GET (HEAD by partNumber: LocalStack's test_s3.snapshot.json, head-object-part).
  if ((x.operation === "GetObject" || x.operation === "HeadObject") && x.output.ContentRange && r.status === 200) r.status = 206;
  // A handler's own success status where the model has none to carry it (RestoreObject: 202 Accepted, 200 OK).
  const status = (x.output as Record<symbol, unknown>)[Symbol.for("stratus.s3.status")];
  if (typeof status === "number") r.status = status;
  if (x.operation === "GetBucketLocation") {
    const lc = x.output.LocationConstraint as string | undefined;
    const ns = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
    r.body = XML_DECLARATION + (lc ? `<LocationConstraint ${ns}>${escapeXml(lc)}</LocationConstraint>` : `<LocationConstraint ${ns}/>`);
  }
}

/**
 * S3 has no ValidationException: it accepts enum values it does not know (new storage classes, regions — the
 * handlers refuse what they must in S3's words), and a document missing a required element is MalformedXML.
 */
export function s3Validate(model: ServiceModel, operation: string, input: Record<string, unknown>): void {
  const shape = model.operations[operation].input?.shape;
  // GetObjectAttributes without x-amz-object-attributes: S3 says which header, not MalformedXML (Scality cloudserver's
  // functional tests written against AWS, objectGetAttributes.js; attributes.ts refuses unknown names the same way).
  if (operation === "GetObjectAttributes" && !(input.ObjectAttributes as unknown[] | undefined)?.length)
    throw new ServiceError("InvalidArgument", "Invalid attribute name specified.", 400);
  const errors = validationErrors(model, shape, input).filter((e) => !e.includes("enum value set"));
  if (!errors.length) return;
  if (errors.every((e) => e.endsWith("Member must not be null"))) {
    throw new ServiceError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
  }
  throw new ServiceError("InvalidArgument", errors[0], 400);
}
