# from aws_synthetics.selenium import synthetics_webdriver as webdriver: execute_step, execute_http_step,
# add_user_agent, and Chrome()/get_driver(), which need a local Chromium and the canary's own selenium.
import time
import urllib.error
import urllib.request

from ..common import run as _run
from ..common import synthetics_configuration


def execute_step(step_name, function_to_execute, step_config=None):
    step = {"stepName": step_name, "status": "RUNNING", "startTime": int(time.time() * 1000)}
    _run.state["steps"].append(step)
    _run.line("INFO", "Executing step: %s" % step_name)
    cont = (step_config or {}).get("continue_on_step_failure", synthetics_configuration.get("continue_on_step_failure"))
    try:
        out = function_to_execute()
        step["status"] = "PASSED"
        _run.line("INFO", "Step %s succeeded." % step_name)
        return out
    except Exception as e:
        step["status"] = "FAILED"
        step["failureReason"] = _run.reason_of(e)
        _run.line("ERROR", "Step %s failed: %s" % (step_name, step["failureReason"]))
        if not cont:
            raise
    finally:
        step["endTime"] = int(time.time() * 1000)
        step["duration"] = step["endTime"] - step["startTime"]


def _count(code):
    r = _run.state["requests"]
    if 200 <= code < 300:
        r["2xx"] += 1
    elif 400 <= code < 500:
        r["4xx"] += 1
    elif code >= 500:
        r["5xx"] += 1
    if code >= 400:
        r["failed"] += 1


def execute_http_step(step_name, url, method="GET", headers=None, body=None, callback=None, step_config=None):
    def go():
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(url, data=data, method=method, headers={"User-Agent": _run.state["user_agent"], **(headers or {})})
        try:
            res = urllib.request.urlopen(req, timeout=30)
            code = res.status
        except urllib.error.HTTPError as e:
            res, code = e, e.code
        except Exception:
            _run.state["requests"]["failed"] += 1
            raise
        _count(code)
        _run.state["steps"][-1]["statusCode"] = code
        if callback is not None:
            return callback(res)
        if not 200 <= code < 300:
            raise Exception("%s %s" % (code, getattr(res, "reason", "")))
        return res.read()

    return execute_step(step_name, go, step_config)


def add_user_agent(user_agent_str):
    _run.state["user_agent"] = "%s %s" % (_run.state["user_agent"], user_agent_str)


def Chrome(*args, **kwargs):
    chromium = _run.state.get("chromium")
    if not chromium:
        raise Exception(_run.NO_CHROMIUM)
    try:
        from selenium import webdriver
    except ImportError:
        raise Exception("Stratus found Chromium at %s, but the canary's code brings no selenium to drive it" % chromium)
    options = kwargs.pop("chrome_options", None) or kwargs.pop("options", None) or webdriver.ChromeOptions()
    options.binary_location = chromium
    options.add_argument("--headless=new")
    options.add_argument("--no-sandbox")
    return webdriver.Chrome(options=options)


get_driver = Chrome
