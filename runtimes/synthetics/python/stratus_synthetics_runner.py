# The handler of a Python canary's Lambda function (Stratus's stand-in for AWS's Synthetics wrapper): imports the
# canary's module from its layer (python/<file>.py), runs its handler with the Synthetics library and returns the
# run for CloudWatch Synthetics to store as artifacts, metrics and events.
import importlib
import time
import traceback

from aws_synthetics.common import run as _run


def handler(event, context):
    _run.reset(event)
    started = int(time.time() * 1000)
    status, reason = "PASSED", None
    _run.line("INFO", "Start Canary")
    try:
        module_name, _, fn = event["handler"].rpartition(".")
        mod = importlib.import_module(module_name.replace("/", "."))
        result = getattr(mod, fn)(event, context)
        failed = [s for s in _run.state["steps"] if s["status"] == "FAILED"]
        if failed:
            status, reason = "FAILED", failed[0].get("failureReason")
        del result
    except Exception as e:
        status, reason = "FAILED", _run.reason_of(e)
        _run.line("ERROR", "Canary failed: %s" % traceback.format_exc())
    _run.line("INFO", "Canary run %s." % ("successful" if status == "PASSED" else "failed"))
    out = {
        "status": status,
        "startTime": started,
        "endTime": int(time.time() * 1000),
        "steps": _run.state["steps"],
        "requests": _run.state["requests"],
        "log": "\n".join(_run.state["log"]) + "\n",
        "screenshots": [],
        "browser": False,
    }
    if reason is not None:
        out["reason"] = reason
    return out
