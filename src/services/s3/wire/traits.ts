// S3's protocol traits that botocore's model does not carry (Smithy's S3 model has them), read by the rest-xml codec.
import type { WireTraits } from "../../../core/model.js";

export const s3WireTraits: WireTraits = {
  // @restXml(noErrorWrapping: true): <Error><Code/><Message/><RequestId/><HostId/></Error>.
  noErrorWrapping: true,
  // S3 declares its namespace on every document it returns.
  xmlNamespace: "http://s3.amazonaws.com/doc/2006-03-01/",
  // PATCH /bucket/key and other requests no route takes: 405 MethodNotAllowed, as S3 answers.
  unmatchedIsMethodNotAllowed: true,
  // The model says 200; S3 answers "HTTP/1.1 204 No Content" (the S3 API Reference's PUT Bucket tagging sample
  // response, as recorded from AWS for issue 10; S3-compatible stores document the same, e.g. Oracle's ZFS S3 guide).
  responseCodes: { PutBucketTagging: 204 },
};
