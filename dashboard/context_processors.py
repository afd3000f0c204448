"""Template context for every page: when the data last changed (queried only if shown)."""

from .selectors import site_last_updated


def site(request):
    # A callable: the template calls it only where it prints the date, so admin pages
    # and others that don't show it cost no query.
    return {"site_last_updated": site_last_updated}
