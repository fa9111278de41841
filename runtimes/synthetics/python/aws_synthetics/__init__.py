# Stratus's CloudWatch Synthetics library for Python canaries (written for Stratus from AWS's documentation of
# the Python library; not AWS's code): aws_synthetics.selenium.synthetics_webdriver and
# aws_synthetics.common.synthetics_logger, recording steps, HTTP status counts and the run's log.
