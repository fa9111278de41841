# synthetics_configuration.set_config({...}) / get_config()
_config = {"continue_on_step_failure": False, "screenshot_on_step_start": True, "screenshot_on_step_success": True, "screenshot_on_step_failure": True}


def set_config(options):
    _config.update(options or {})


def get_config():
    return dict(_config)


def get(key):
    return _config.get(key)
