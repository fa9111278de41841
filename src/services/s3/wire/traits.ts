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
  // The root elements AWS writes, from the @xmlName traits of S3's Smithy model (as the AWS SDK for JavaScript v3
  // carries them in its S3 schema, @aws-sdk/client-s3 dist-cjs: e.g. ListPartsOutput$ = [3, n0, _LPO, { [_xN]: _LPR }]),
  // for the outputs Stratus implements; GetObjectAttributesResponse also as AWS-recorded in LocalStack's
  // test_s3.snapshot.json (test_get_object_attributes_with_space).
  outputRoots: {
    CompleteMultipartUploadOutput: "CompleteMultipartUploadResult",
    CreateMultipartUploadOutput: "InitiateMultipartUploadResult",
    DeleteObjectsOutput: "DeleteResult",
    GetBucketAccelerateConfigurationOutput: "AccelerateConfiguration",
    GetBucketAclOutput: "AccessControlPolicy",
    GetBucketCorsOutput: "CORSConfiguration",
    GetBucketLifecycleConfigurationOutput: "LifecycleConfiguration",
    GetBucketLoggingOutput: "BucketLoggingStatus",
    GetBucketRequestPaymentOutput: "RequestPaymentConfiguration",
    GetBucketTaggingOutput: "Tagging",
    GetBucketVersioningOutput: "VersioningConfiguration",
    GetBucketWebsiteOutput: "WebsiteConfiguration",
    GetObjectAclOutput: "AccessControlPolicy",
    GetObjectAttributesOutput: "GetObjectAttributesResponse",
    GetObjectTaggingOutput: "Tagging",
    ListBucketAnalyticsConfigurationsOutput: "ListBucketAnalyticsConfigurationResult",
    ListBucketInventoryConfigurationsOutput: "ListInventoryConfigurationsResult",
    ListBucketMetricsConfigurationsOutput: "ListMetricsConfigurationsResult",
    ListBucketsOutput: "ListAllMyBucketsResult",
    ListDirectoryBucketsOutput: "ListAllMyDirectoryBucketsResult",
    ListMultipartUploadsOutput: "ListMultipartUploadsResult",
    ListObjectsOutput: "ListBucketResult",
    ListObjectsV2Output: "ListBucketResult",
    ListObjectVersionsOutput: "ListVersionsResult",
    ListPartsOutput: "ListPartsResult",
  },
};
