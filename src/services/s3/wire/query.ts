// S3's integer query parameters read as S3 reads them, before the generic codec parses them: ListParts' max-parts and
// part-number-marker, ListMultipartUploads' max-uploads. An empty value is as if absent (AWS-recorded: LocalStack's
// test_s3_list_operations.snapshot.json, test_list_parts_empty_part_number_marker); one that is no integer, has a sign
// other than "-", or does not fit an int32 is InvalidArgument "Provided <name> not an integer or within integer range"
// before any lookup (wording as moto's tests give AWS's: tests/test_s3/test_s3_multipart.py,
// test_multipart_list_parts_invalid_argument; the refusal of words and of a leading "+" or space as measured on real S3
// by backlot's S3 router notes, _int32_param). A negative int32 passes on to the handler, which refuses it after the
// bucket lookup (common.ts, negativeArgument).
import { ServiceError } from "../../../core/errors.js";
import type { Exchange } from "../../../core/exchange.js";

const INTEGER_PARAMS = new Set(["max-parts", "part-number-marker", "max-uploads"]);
const INT_MAX = 2147483647;

const argument = (message: string, name: string, value: string) =>
  new ServiceError("InvalidArgument", message, 400, { fields: { ArgumentName: name, ArgumentValue: value } });

export function s3IntegerQuery(x: Exchange): void {
  const query = x.req.query;
  if (!query || !/(?:^|&)(?:max-parts|part-number-marker|max-uploads)=/.test(query)) return;
  const kept: string[] = [];
  for (const pair of query.split("&")) {
    const eq = pair.indexOf("=");
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (!INTEGER_PARAMS.has(name) || eq < 0) {
      kept.push(pair);
      continue;
    }
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, " "));
    } catch {
      value = pair.slice(eq + 1);
    }
    if (value === "") continue;
    const n = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= -INT_MAX - 1 && n <= INT_MAX)) throw argument(`Provided ${name} not an integer or within integer range`, name, value);
    kept.push(`${name}=${n === 0 ? 0 : n}`);
  }
  x.req.query = kept.join("&");
  if (x.req.cache) delete x.req.cache.restQuery;
}
