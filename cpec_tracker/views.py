"""Site-wide views: the home page and the health check."""

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from projects.selectors import portfolio_overview


@require_GET
def home(request):
    """The landing page: what the portfolio holds, and where to go next."""
    return render(request, "home.html", {"overview": portfolio_overview()})


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Liveness and database check for load balancers and monitoring: no login, no data."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
