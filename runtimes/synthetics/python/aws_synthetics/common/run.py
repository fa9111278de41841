# The run being recorded: steps, HTTP status counts, log lines; the wrapper resets it for each run.
import datetime
import sys

state = {}
NO_CHROMIUM = (
    "Stratus found no Chromium on this machine (set STRATUS_CHROMIUM, or put chromium, chromium-browser or "
    "google-chrome on the PATH): browser steps cannot run"
)


def reset(event):
    state.clear()
    state.update(
        canary_name=event.get("canaryName", ""),
        canary_arn=event.get("canaryArn", ""),
        runtime_version=event.get("runtimeVersion", ""),
        chromium=event.get("chromium"),
        steps=[],
        requests={"2xx": 0, "4xx": 0, "5xx": 0, "failed": 0},
        log=[],
        user_agent="CloudWatchSynthetics",
    )


def line(level, msg):
    msg = str(msg).rstrip()
    text = "%s %s: %s" % (datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"), level, msg)
    state.setdefault("log", []).append(text)
    print(text, file=sys.stdout, flush=True)


def reason_of(e):
    return "%s: %s" % (type(e).__name__, e)
