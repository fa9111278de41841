# Runs AWS CLI command lines one after another in one interpreter: the CLI's own entry point
# (awscli.clidriver.main, what the `aws` script calls) with sys.argv, os.environ, stdout and stderr set as a fresh
# `aws` process would have them, so only the interpreter start-up and imports (most of an `aws` call) are shared.
# Started by test/helpers/aws-cli.ts with the interpreter of the `aws` script it stands for. Requests come on
# fd 3, one JSON line each ({"args": [...], "env": {...}}); each answer is one JSON line on stdout
# ({"status": n, "stdout": "...", "stderr": "..."}); the first line out says which awscli this is.
import json
import os
import sys
import tempfile
import traceback

before_import = dict(os.environ)
import awscli  # noqa: E402 (sets AWS_DATA_PATH for its own data files, as in every `aws` process)
import awscli.clidriver  # noqa: E402

# What importing the CLI put into the environment: an `aws` process has it on top of the environment it was given.
from_import = {k: v for k, v in os.environ.items() if before_import.get(k) != v}

requests = os.fdopen(3, "r", encoding="utf-8")
answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
saved = {1: os.dup(1), 2: os.dup(2)}


def answer(obj):
    answers.write(json.dumps(obj) + "\n")
    answers.flush()


def run(args, env):
    """One `aws <args>` with exactly `env`; returns the exit status as the process would have it."""
    os.environ.clear()
    os.environ.update(env)
    os.environ.update(from_import)
    # What the `aws` script does before importing the CLI.
    if os.environ.get("LC_CTYPE", "") == "UTF-8":
        os.environ["LC_CTYPE"] = "en_US.UTF-8"
    sys.argv = ["aws", *args]
    try:
        rc = awscli.clidriver.main()  # the `aws` script: sys.exit(main())
    except SystemExit as e:
        rc = e.code
    except BaseException:
        traceback.print_exc()
        return 1
    if rc is None:
        return 0
    if isinstance(rc, int):
        return rc & 0xFF
    print(rc, file=sys.stderr)
    return 1


answer({"ready": True, "version": awscli.__version__})
for line in requests:
    req = json.loads(line)
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    try:
        status = run(req["args"], req["env"])
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[1], 1)
        os.dup2(saved[2], 2)
    texts = []
    for f in (out, err):
        f.seek(0)
        texts.append(f.read().decode("utf-8", "replace"))
        f.close()
    answer({"status": status, "stdout": texts[0], "stderr": texts[1]})
