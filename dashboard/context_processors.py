"""Template context for every page: when the data last changed (queried only if shown)."""

from .cache import request_data_version


def site(request):
    # A callable: the template calls it only where it prints the date, so admin pages
    # and others that don't show it cost no query; pages that cache figures share the read.
    return {"site_last_updated": lambda: request_data_version(request)[1]}
