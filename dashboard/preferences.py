"""How a viewer reads the figures: in billions (the default) or in lakh and crore.

The header's switch (templates/includes/_preferences_form.html) posts to ``number_style``, which
keeps the choice in a cookie for a year, like the language switch (Django's ``set_language``);
``NumberStyleMiddleware`` reads it for each request into ``projects.money``, whose formatters
every page, chart and export of figures uses. Cached pages are keyed by it (``dashboard.cache``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import money

COOKIE = "cpec_numbers"


class NumberStyleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        style = request.COOKIES.get(COOKIE)
        token = money.use_style(style if style in money.STYLES else money.SHORT)
        try:
            return self.get_response(request)
        finally:
            money.reset_style(token)


@require_POST
def number_style(request):
    """Remember the figures' style and go back to the page (its query and as-of moment kept)."""
    style = request.POST.get("figures", "")
    if style not in money.STYLES:
        return HttpResponseBadRequest(_("Choose how figures are written: billions or lakh / crore."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        COOKIE,
        style,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
