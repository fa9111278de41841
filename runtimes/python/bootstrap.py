"""Stratus's Python runtime interface client.

Stratus runs it as `python3 -u <pkg>/runtimes/python/bootstrap.py` (cwd = the function's code, PYTHONPATH =
task root then layers) for the python3.9 ... python3.14 runtimes. It behaves like AWS's own client
(awslambdaric): the same handler loading and error types/messages, the same context object, the same
logging set-up and the same error bodies, so handlers that work on AWS work here.

Talks to the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API over one persistent HTTP/1.1 connection.
Before each /response or /error (and before /init/error) it writes a completion marker to both fd 1 and
fd 2 so Stratus knows all output of that invocation has arrived:
    "\\x1eSTRATUS-END <requestId>\\n"  or  "\\x1eSTRATUS-INIT-ERROR\\n"

Standard library only; runs on Python 3.8+. Imports are kept to what start-up needs.
"""

import http.client
import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback
from urllib.parse import urlsplit

_RUNTIME_PATH = "/2018-06-01/runtime"
_ERROR_LOG_LINE_TERMINATE = "\r"
_ERROR_LOG_IDENT = "\u00a0"  # NO-BREAK SPACE, as AWS indents stack-trace lines in the log
_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
_LAMBDA_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function change, "
    "or can be applied automatically. To determine if the runtime has been updated, check the runtime "
    "version in the INIT_START log entry. If this error correlates with a change in the runtime version, "
    "you may be able to mitigate this error by temporarily rolling back to the previous runtime version. "
    "For more information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)

_LOG_FORMAT_JSON = (os.environ.get("AWS_LAMBDA_LOG_FORMAT") or "").upper() == "JSON"
_log_level_env = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
_LOG_LEVEL = {None: "", "TRACE": "DEBUG"}.get(_log_level_env, _log_level_env or "").upper()

_GLOBAL_AWS_REQUEST_ID = None
_GLOBAL_TENANT_ID = None


class FaultException(Exception):
    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
    LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

    def __init__(self, exception_type, msg, trace=None):
        Exception.__init__(self, msg)
        self.msg = msg
        self.exception_type = exception_type
        self.trace = trace


# ---------------------------------------------------------------------------------------------- context


class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __repr__(self):
        return "CognitoIdentity([cognito_identity_id=%s,cognito_identity_pool_id=%s])" % (
            self.cognito_identity_id,
            self.cognito_identity_pool_id,
        )


class Client(object):
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]

    def __repr__(self):
        return "Client([%s])" % ",".join("%s=%s" % (f, getattr(self, f)) for f in self.__slots__)


class ClientContext(object):
    __slots__ = ["custom", "env", "client"]

    def __repr__(self):
        return "ClientContext([custom=%s,env=%s,client=%s])" % (self.custom, self.env, self.client)


def _obj_from_dict(cls, d):
    if d is None:
        return None
    obj = cls()
    get = d.get if isinstance(d, dict) else (lambda _k, _d=None: None)
    for field in cls.__slots__:
        setattr(obj, field, get(field, None))
    return obj


_W3C_FIELDS = ("traceparent", "tracestate", "baggage")


class LambdaContext(object):
    def __init__(self, invoke_id, client_context, cognito_identity, epoch_deadline_time_in_ms,
                 invoked_function_arn=None, tenant_id=None):
        self.aws_request_id = invoke_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        # A string, exactly as on AWS (awslambdaric reads the environment variable as-is).
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id

        w3c = {}
        if isinstance(client_context, dict) and "w3c" in client_context:
            raw = client_context.pop("w3c")
            if isinstance(raw, dict):
                w3c = dict((k, raw[k]) for k in _W3C_FIELDS if isinstance(raw.get(k), str))
        self._w3c_fields = w3c

        self.client_context = _obj_from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _obj_from_dict(Client, self.client_context.client)

        # Always an object, as on AWS; its fields are None without a Cognito identity.
        self.identity = _obj_from_dict(CognitoIdentity, {})
        if isinstance(cognito_identity, dict):
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")

        self._epoch_deadline_time_in_ms = epoch_deadline_time_in_ms

    def get_remaining_time_in_millis(self):
        delta_ms = self._epoch_deadline_time_in_ms - int(time.time() * 1000)
        return delta_ms if delta_ms > 0 else 0

    def w3c(self):
        return dict(self._w3c_fields)

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,function_name=%s,"
            "memory_limit_in_mb=%s,function_version=%s,invoked_function_arn=%s,client_context=%s,"
            "identity=%s,tenant_id=%s])"
            % (self.aws_request_id, self.log_group_name, self.log_stream_name, self.function_name,
               self.memory_limit_in_mb, self.function_version, self.invoked_function_arn,
               self.client_context, self.identity, self.tenant_id)
        )


def _parse_json_header(value, name):
    try:
        return json.loads(value)
    except Exception as e:
        raise FaultException(
            FaultException.LAMBDA_CONTEXT_UNMARSHAL_ERROR, "Unable to parse %s JSON: %s" % (name, e), None
        )


# ---------------------------------------------------------------------------------------------- marshalling

_DECIMAL_MARK = "\x00STRATUS-DECIMAL\x00"


class _Encoder(json.JSONEncoder):
    """Encodes like AWS's simplejson encoder: Decimals become JSON numbers (NaN ones NaN)."""

    def __init__(self):
        if os.environ.get("AWS_EXECUTION_ENV") == "AWS_Lambda_python3.12":
            json.JSONEncoder.__init__(self, ensure_ascii=False)
        else:
            json.JSONEncoder.__init__(self)
        self.saw_decimal = False

    def default(self, obj):
        decimal = sys.modules.get("decimal")
        if decimal is not None and isinstance(obj, decimal.Decimal):
            if obj.is_nan():
                return float("nan")
            self.saw_decimal = True
            return _DECIMAL_MARK + str(obj)
        return json.JSONEncoder.default(self, obj)


def to_json(obj):
    encoder = _Encoder()
    text = encoder.encode(obj)
    if encoder.saw_decimal:
        import re

        text = re.sub(r'"\\u0000STRATUS-DECIMAL\\u0000([^"\\]*)"', r"\1", text)
    return text


def _unmarshal_request(body, content_type):
    if content_type and not content_type.split(";", 1)[0].strip().lower() == "application/json":
        return body
    try:
        return json.loads(body)
    except Exception as e:
        raise FaultException(FaultException.UNMARSHAL_ERROR, "Unable to unmarshal input: %s" % e, None)


def _marshal_response(response):
    if isinstance(response, bytes):
        return response, "application/unknown"
    try:
        return to_json(response).encode("utf-8"), "application/json"
    except Exception as e:
        raise FaultException(FaultException.MARSHAL_ERROR, "Unable to marshal response: %s" % e, None)


# ---------------------------------------------------------------------------------------------- logging


def _one_line(text):
    """One record, one line: inner newlines become \\r (Stratus turns them back), one \\n at the end."""
    if text.endswith("\n"):
        text = text[:-1]
    return text.replace("\n", "\r") + "\n"


class LambdaLoggerHandler(logging.Handler):
    def emit(self, record):
        try:
            msg = _one_line(self.format(record))
            sys.stdout.write(msg)
        except Exception:
            self.handleError(record)


class LambdaLoggerFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _GLOBAL_AWS_REQUEST_ID or ""
        record.tenant_id = _GLOBAL_TENANT_ID
        return True


_RESERVED_FIELDS = {
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info", "exc_text",
    "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated", "thread", "threadName",
    "processName", "process", "aws_request_id", "tenant_id", "_frame_type",
}


def _format_log_level(record):
    return min(50, max(0, record.levelno)) // 10 * 10


class JsonFormatter(logging.Formatter):
    def __init__(self):
        logging.Formatter.__init__(self, datefmt=_DATETIME_FORMAT)
        self._encode = json.JSONEncoder(ensure_ascii=False).encode

    def formatTime(self, record, datefmt=None):
        return "%s.%03dZ" % (time.strftime(_DATETIME_FORMAT, time.gmtime(record.created)),
                             int(record.created * 1000) % 1000)

    def format(self, record):
        record.levelno = _format_log_level(record)
        record.levelname = logging.getLevelName(record.levelno)
        exc_info = record.exc_info
        result = {
            "timestamp": self.formatTime(record, self.datefmt),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc_info[2]) if exc_info else None,
            "errorType": exc_info[0].__name__ if exc_info else None,
            "errorMessage": str(exc_info[1]) if exc_info else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": "%s:%s:%s" % (record.pathname, record.funcName, record.lineno) if exc_info else None,
        }
        if getattr(record, "tenant_id", None) is not None:
            result["tenantId"] = record.tenant_id
        result.update(
            (key, value) for key, value in record.__dict__.items() if key not in _RESERVED_FIELDS and key not in result
        )
        result = dict((k, v) for k, v in result.items() if v is not None)
        return self._encode(result) + "\n"


def _setup_logging():
    logging.Formatter.converter = time.gmtime
    logger = logging.getLogger()
    handler = LambdaLoggerHandler()
    if _LOG_FORMAT_JSON:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", _DATETIME_FORMAT
            )
        )
    if _LOG_LEVEL in logging._nameToLevel:
        logger.setLevel(_LOG_LEVEL)
    handler.addFilter(LambdaLoggerFilter())
    logger.addHandler(handler)


def _replace_line_indentation(line, indent_char, new_indent_char):
    count = 0
    for c in line:
        if c != indent_char:
            break
        count += 1
    return (new_indent_char * count) + line[count:]


def log_error(error_result):
    """The error line AWS's runtime writes to the function's log when init or an invocation fails."""
    if _LOG_FORMAT_JSON:
        record = {"timestamp": time.strftime(_DATETIME_FORMAT, time.gmtime()), "level": "ERROR"}
        record.update(error_result)
        sys.stdout.write(_one_line(to_json(record)))
        return
    description = "[ERROR]"
    error_type = error_result.get("errorType")
    if error_type:
        description += " " + error_type
    message = error_result.get("errorMessage")
    if message:
        if error_type:
            description += ":"
        description += " " + message
    lines = [description]
    stack_trace = error_result.get("stackTrace")
    if stack_trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack_trace:
            if element == "":
                lines.append("")
            else:
                for line in element.splitlines():
                    lines.append(_replace_line_indentation(line, " ", _ERROR_LOG_IDENT))
    sys.stdout.write(_one_line(_ERROR_LOG_LINE_TERMINATE.join(lines)))


# ---------------------------------------------------------------------------------------------- errors


def make_error(error_message, error_type, stack_trace, invoke_id=None):
    return {
        "errorMessage": error_message if error_message else "",
        "errorType": error_type if error_type else "",
        "requestId": invoke_id if invoke_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def _user_frames(tb):
    """The traceback's frames from the first one outside this file (as awslambdaric trims its own)."""
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    for i in range(len(frames)):
        if "/bootstrap.py" not in frames[i][0]:
            return frames[i:]
    return frames


def build_fault_result(exc_info, msg, invoke_id=None):
    etype, value, tb = exc_info
    return make_error(msg if msg else str(value), etype.__name__, traceback.format_list(_user_frames(tb)), invoke_id)


# ---------------------------------------------------------------------------------------------- handler


def _get_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(FaultException.MALFORMED_HANDLER_NAME, "Bad handler '%s': %s" % (handler, e))

    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                FaultException.BUILT_IN_MODULE_CONFLICT,
                "Cannot use built-in module %s as a handler module" % modname,
            )
        m = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        message = "Unable to import module '%s': %s" % (modname, e)
        # AWS's Python runtimes provide boto3; here it comes from the local python, which may lack it.
        if (getattr(e, "name", None) or "").split(".")[0] in ("boto3", "botocore"):
            message += (
                "\nStratus runs Python functions on the local python (%s), which has no %s; install it there"
                " (%s -m pip install boto3) or set STRATUS_LAMBDA_PYTHON to a python that has it."
                % (sys.executable, e.name.split(".")[0], sys.executable)
            )
        raise FaultException(FaultException.IMPORT_MODULE_ERROR, message)
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(
            FaultException.USER_CODE_SYNTAX_ERROR, "Syntax error in module '%s': %s" % (modname, e), trace
        )

    try:
        return getattr(m, fname)
    except AttributeError:
        raise FaultException(
            FaultException.HANDLER_NOT_FOUND, "Handler '%s' missing on module '%s'" % (fname, modname), None
        )


# ---------------------------------------------------------------------------------------------- Runtime API


def _flush_and_mark(line):
    """Everything written so far, then the marker, on both stdout and stderr."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except Exception:
            pass
    data = line.encode("utf-8")
    for fd in (1, 2):
        try:
            os.write(fd, data)
        except OSError:
            pass


class _Connection(http.client.HTTPConnection):
    def connect(self):
        http.client.HTTPConnection.connect(self)
        try:
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


def _route_stratus_https():
    """Stratus's own URLs over https (the rule is documented at stratusEndpoints in
    src/services/lambda/engine/launch.ts). Code written for AWS may rebuild a URL from its host and path and send it
    with http.client.HTTPSConnection (crhelper answers a ResponseURL so), so a URL Stratus hands out
    (http://<its host>:<port>/_stratus/...) loses its scheme and perhaps its port. An HTTPSConnection whose request is
    for a /_stratus/ path on a host in _STRATUS_ENDPOINTS, on port 443 or the endpoint's own port, is connected to
    that endpoint over plain HTTP, everything
    else about the request unchanged (urllib.request's https goes through HTTPSConnection too). Every other
    connection, to any other host or path, is made as the code asked."""
    routes = {}
    for base in (os.environ.get("_STRATUS_ENDPOINTS") or "").split():
        try:
            url = urlsplit(base)  # already loaded by http.client
            if url.hostname:
                routes[url.hostname.lower()] = (url.hostname, url.port or 80)
        except ValueError:
            pass
    https = getattr(http.client, "HTTPSConnection", None)
    if not routes or https is None:
        return
    putrequest, connect = https.putrequest, https.connect

    def routed_putrequest(self, method, url, *args, **kwargs):
        self._stratus_path = url
        return putrequest(self, method, url, *args, **kwargs)

    def routed_connect(self):
        to = routes.get(str(self.host).lower())
        path = getattr(self, "_stratus_path", None) or ""
        if to is None or self.port not in (443, to[1]) or self._tunnel_host or not path.startswith("/_stratus/"):
            return connect(self)
        host, port = self.host, self.port
        self.host, self.port = to
        try:
            http.client.HTTPConnection.connect(self)
        finally:
            self.host, self.port = host, port

    https.putrequest = routed_putrequest
    https.connect = routed_connect


class RuntimeApiError(Exception):
    pass


class LambdaRuntimeClient(object):
    def __init__(self, address):
        self.address = address
        self.conn = _Connection(address)

    def _request(self, method, path, body=None, headers=None):
        headers = headers or {}
        for attempt in (0, 1):
            try:
                self.conn.request(method, _RUNTIME_PATH + path, body, headers)
                response = self.conn.getresponse()
                return response.status, response.read(), response
            except (http.client.HTTPException, ConnectionError) as e:
                # A kept-alive connection the server closed in between: reconnect once.
                self.conn.close()
                if attempt:
                    raise RuntimeApiError("Request to Lambda Runtime '%s' endpoint failed: %r" % (path, e))

    def wait_next_invocation(self):
        status, body, response = self._request("GET", "/invocation/next")
        if status != 200:
            raise RuntimeApiError("Failed to get next invocation: %s %s" % (status, body[:200]))
        h = response.getheader
        deadline = h("Lambda-Runtime-Deadline-Ms")
        try:
            deadline = int(float(deadline)) if deadline else 0
        except ValueError:
            deadline = 0
        return {
            "invoke_id": h("Lambda-Runtime-Aws-Request-Id"),
            "x_amzn_trace_id": h("Lambda-Runtime-Trace-Id"),
            "invoked_function_arn": h("Lambda-Runtime-Invoked-Function-Arn"),
            "deadline_time_in_ms": deadline,
            "client_context": h("Lambda-Runtime-Client-Context"),
            "cognito_identity": h("Lambda-Runtime-Cognito-Identity"),
            "tenant_id": h("Lambda-Runtime-Aws-Tenant-Id"),
            "content_type": h("Content-Type"),
            "event_body": body,
        }

    def _post(self, path, body, headers):
        status, resp_body, _ = self._request("POST", path, body, headers)
        if not 200 <= status < 300:
            sys.stderr.write("stratus python runtime: POST %s -> %s %s\n" % (path, status, resp_body[:200]))

    def post_invocation_result(self, invoke_id, result, content_type):
        self._post("/invocation/%s/response" % invoke_id, result, {"Content-Type": content_type})

    def post_invocation_error(self, invoke_id, error_json, error_type):
        self._post(
            "/invocation/%s/error" % invoke_id,
            error_json.encode("utf-8"),
            {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type.encode("utf-8")},
        )

    def post_init_error(self, error_json, error_type):
        self._post(
            "/init/error",
            error_json.encode("utf-8"),
            {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type.encode("utf-8")},
        )


# ---------------------------------------------------------------------------------------------- main loop


def _update_xray_env_variable(trace_id):
    if trace_id is not None:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    elif "_X_AMZN_TRACE_ID" in os.environ:
        del os.environ["_X_AMZN_TRACE_ID"]


def handle_event_request(client, request_handler, inv):
    invoke_id = inv["invoke_id"]
    error_result = None
    try:
        client_context = None
        if inv["client_context"]:
            client_context = _parse_json_header(inv["client_context"], "Client Context")
        cognito_identity = None
        if inv["cognito_identity"]:
            cognito_identity = _parse_json_header(inv["cognito_identity"], "Cognito Identity")
        context = LambdaContext(invoke_id, client_context, cognito_identity, inv["deadline_time_in_ms"],
                                inv["invoked_function_arn"], inv["tenant_id"])
        event = _unmarshal_request(inv["event_body"], inv["content_type"])
        response = request_handler(event, context)
        result, content_type = _marshal_response(response)
    except FaultException as e:
        error_result = make_error(e.msg, e.exception_type, e.trace, invoke_id)
    except Exception:
        error_result = build_fault_result(sys.exc_info(), None, invoke_id)

    if error_result is not None:
        log_error(error_result)
        error_json = to_json(error_result)
        _flush_and_mark("\x1eSTRATUS-END %s\n" % invoke_id)
        client.post_invocation_error(invoke_id, error_json, error_result["errorType"])
    else:
        _flush_and_mark("\x1eSTRATUS-END %s\n" % invoke_id)
        client.post_invocation_result(invoke_id, result, content_type)


def main():
    global _GLOBAL_AWS_REQUEST_ID, _GLOBAL_TENANT_ID

    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    handler = os.environ.get("_HANDLER", "")
    if not address:
        sys.stderr.write("stratus python runtime: AWS_LAMBDA_RUNTIME_API is not set\n")
        return 1

    # `python3 bootstrap.py` puts this file's directory first on sys.path; the function's modules must win.
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and sys.path[0] and os.path.abspath(sys.path[0]) == here:
        del sys.path[0]
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    if task_root not in sys.path:
        sys.path.insert(0, task_root)

    _route_stratus_https()
    client = LambdaRuntimeClient(address)
    try:
        _setup_logging()
        request_handler = _get_handler(handler)
    except Exception as e:
        if isinstance(e, FaultException):
            error_result = make_error(e.msg, e.exception_type, e.trace)
        else:
            error_result = build_fault_result(sys.exc_info(), None)
        del error_result["requestId"]
        logging.warning(_LAMBDA_WARNING)
        log_error(error_result)
        _flush_and_mark("\x1eSTRATUS-INIT-ERROR\n")
        client.post_init_error(to_json(error_result), error_result["errorType"])
        return 1

    while True:
        inv = client.wait_next_invocation()
        _GLOBAL_AWS_REQUEST_ID = inv["invoke_id"]
        _GLOBAL_TENANT_ID = inv["tenant_id"]
        _update_xray_env_variable(inv["x_amzn_trace_id"])
        handle_event_request(client, request_handler, inv)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeApiError as e:
        sys.stderr.write("stratus python runtime: %s\n" % e)
        sys.exit(1)
