"""The benchmark's floor page: what every page costs before it does any work of its own."""

from django.shortcuts import render


def floor(request):
    """Login required (the site's middleware), the base template, no query of its own.

    The only queries are the session and the user, which every logged-in page pays. The
    "data last updated" date, which base.html shows, is left out: it is a query.
    """
    return render(request, "benchmarks/floor.html", {"site_last_updated": None})
