"""API tokens in the data-entry site: an administrator issues one per user and revokes it by deleting it.

DRF's ``TokenAdmin`` with its user read in the list's query (it printed each token's user with
a query of its own). Only the Admin role may see or manage tokens: ``roles_setup`` gives the
Admin group every permission and editors only the domain apps' (``cpec_site/roles.py``).
"""

from django.contrib import admin
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ApiTokenAdmin(TokenAdmin):
    list_select_related = ("user",)
