# from aws_synthetics.common import synthetics_logger as logger; logger.info("...")
from . import run as _run


def debug(msg, *args):
    _run.line("DEBUG", msg % args if args else msg)


def info(msg, *args):
    _run.line("INFO", msg % args if args else msg)


def warn(msg, *args):
    _run.line("WARN", msg % args if args else msg)


warning = warn


def error(msg, *args):
    _run.line("ERROR", msg % args if args else msg)


def exception(msg, *args):
    error(msg, *args)


def set_level(level):
    pass
