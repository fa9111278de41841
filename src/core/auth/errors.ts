// The authentication errors, worded and coded as each protocol family of AWS services answers them.
import { ServiceError } from "../errors.js";
import type { ProtocolName } from "../http.js";

/**
 * Query services (STS, IAM, SNS, CloudFormation…) and non-S3 REST-XML ones answer InvalidClientTokenId /
 * SignatureDoesNotMatch; awsJson services UnrecognizedClientException / InvalidSignatureException with 400;
 * REST-JSON services (Lambda, API Gateway) the same names with 403; EC2 AuthFailure; S3 its own set.
 */
export type AuthFamily = "query" | "json" | "rest-json" | "ec2" | "s3";

/** The family from the model: its signature version (S3's signing rules) and the protocol the caller spoke. */
export function authFamily(signatureVersion: string | undefined, protocol: ProtocolName | undefined): AuthFamily {
  if (signatureVersion === "s3" || signatureVersion === "s3v4") return "s3";
  switch (protocol) {
    case "ec2":
      return "ec2";
    case "json":
    case "smithy-rpc-v2-cbor":
      return "json";
    case "rest-json":
      return "rest-json";
    default:
      return "query";
  }
}

const TOKEN_INVALID = "The security token included in the request is invalid.";
const TOKEN_EXPIRED = "The security token included in the request is expired";
const SIG_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const EC2_AUTH = "AWS was not able to validate the provided access credentials";

// JSON-family errors are rendered with __type = shapeName; the SDKs read the name after '#'.
const json = (code: string, message: string, status: number) => new ServiceError(code, message, status);

export const AuthErrors = {
  /** No key by that id (or an Inactive one). */
  invalidKey(f: AuthFamily, accessKeyId: string): ServiceError {
    switch (f) {
      case "s3":
        return new ServiceError("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403, {
          fields: { AWSAccessKeyId: accessKeyId },
        });
      case "ec2":
        return new ServiceError("AuthFailure", EC2_AUTH, 401);
      case "json":
        return json("UnrecognizedClientException", TOKEN_INVALID, 400);
      case "rest-json":
        return json("UnrecognizedClientException", TOKEN_INVALID, 403);
      default:
        return new ServiceError("InvalidClientTokenId", TOKEN_INVALID, 403);
    }
  },

  /** A session token that is absent, extra or not the one issued with the key. */
  invalidToken(f: AuthFamily, accessKeyId: string): ServiceError {
    if (f === "s3") return new ServiceError("InvalidToken", "The provided token is malformed or otherwise invalid.", 400);
    return AuthErrors.invalidKey(f, accessKeyId);
  },

  expiredToken(f: AuthFamily): ServiceError {
    switch (f) {
      case "s3":
        return new ServiceError("ExpiredToken", "The provided token has expired.", 400);
      case "ec2":
        return new ServiceError("RequestExpired", "Request has expired.", 400);
      case "json":
      case "rest-json":
        return json("ExpiredTokenException", TOKEN_EXPIRED, 403);
      default:
        return new ServiceError("ExpiredToken", TOKEN_EXPIRED, 403);
    }
  },

  /** The signature (or something it covers: scope, date, host) does not check out. */
  signatureMismatch(f: AuthFamily, message = SIG_MISMATCH, fields?: Record<string, unknown>): ServiceError {
    switch (f) {
      case "s3":
        return new ServiceError(
          "SignatureDoesNotMatch",
          message === SIG_MISMATCH
            ? "The request signature we calculated does not match the signature you provided. Check your key and signing method."
            : message,
          403,
          { fields },
        );
      case "ec2":
        return new ServiceError("AuthFailure", EC2_AUTH, 401);
      case "json":
        return json("InvalidSignatureException", message, 400);
      case "rest-json":
        return json("InvalidSignatureException", message, 403);
      default:
        return new ServiceError("SignatureDoesNotMatch", message, 403);
    }
  },

  /** Missing or malformed SigV4 parts. AWS's query services and awsJson services answer 400 here. */
  incomplete(f: AuthFamily, message: string): ServiceError {
    switch (f) {
      case "s3":
        return new ServiceError("AuthorizationHeaderMalformed", message, 400);
      case "json":
        return json("IncompleteSignatureException", message, 400);
      case "rest-json":
        return json("IncompleteSignatureException", message, 403);
      default:
        return new ServiceError("IncompleteSignature", message, 400);
    }
  },

  /** S3's presigned-query problems (X-Amz-Expires out of range…). */
  queryParameters(f: AuthFamily, message: string): ServiceError {
    if (f === "s3") return new ServiceError("AuthorizationQueryParametersError", message, 400);
    return AuthErrors.incomplete(f, message);
  },

  missing(f: AuthFamily): ServiceError {
    switch (f) {
      case "s3":
        return new ServiceError("AccessDenied", "Access Denied", 403);
      case "ec2":
        return new ServiceError("MissingAuthenticationToken", "Request is missing Authentication Token", 401);
      case "json":
        return json("MissingAuthenticationTokenException", "Request is missing Authentication Token", 400);
      case "rest-json":
        return json("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
      default:
        return new ServiceError("MissingAuthenticationToken", "Request is missing Authentication Token", 403);
    }
  },

  /** The request's date is more than 15 minutes from now (header form, or a non-S3 presigned URL). */
  skewed(f: AuthFamily, message: string, s3?: { requestTime: string; serverTime: string }): ServiceError {
    if (f === "s3") {
      return new ServiceError("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", 403, {
        fields: { RequestTime: s3?.requestTime, ServerTime: s3?.serverTime, MaxAllowedSkewMilliseconds: 900000 },
      });
    }
    if (f === "ec2") return new ServiceError("RequestExpired", "Request has expired.", 400);
    return AuthErrors.signatureMismatch(f, message);
  },

  /** S3 presigned URL past X-Amz-Date + X-Amz-Expires. */
  presignExpired(expires: string, expiresAt: string, serverTime: string): ServiceError {
    return new ServiceError("AccessDenied", "Request has expired", 403, { fields: { "X-Amz-Expires": expires, Expires: expiresAt, ServerTime: serverTime } });
  },

  /** S3: the body does not hash to the signed x-amz-content-sha256. */
  contentSha256Mismatch(client: string, server: string): ServiceError {
    return new ServiceError("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", 400, {
      fields: { ClientComputedContentSHA256: client, S3ComputedContentSHA256: server },
    });
  },
};
