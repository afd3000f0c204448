"""The API's throttles: DRF's per-user and per-address rates, read from the settings at each request.

DRF's own classes copy ``DEFAULT_THROTTLE_RATES`` once, when they are imported; reading them
live keeps ``REST_FRAMEWORK`` (filled from the environment) the one place the rates come from,
in tests that change it too.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


class UserRateThrottle(throttling.UserRateThrottle):
    """Requests per logged-in user (``API_THROTTLE_USER``); anonymous ones fall to the address's rate."""

    @property
    def THROTTLE_RATES(self):  # noqa: N802 (DRF's name)
        return api_settings.DEFAULT_THROTTLE_RATES


class AnonRateThrottle(throttling.AnonRateThrottle):
    """Requests per client address without credentials (``API_THROTTLE_ANON``)."""

    @property
    def THROTTLE_RATES(self):  # noqa: N802 (DRF's name)
        return api_settings.DEFAULT_THROTTLE_RATES
