"""Root URLs. Every page needs a login except the login page and /healthz."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from . import views

#: The one name of the data-entry area (Django's admin), wherever an editor sees it: the site
#: menu's link to it (templates/base.html), its header, its pages' titles and its index.
DATA_ENTRY = _("Data entry")

# Built lazily: the admin reads its titles per request, in the request's language.
admin.site.site_header = format_lazy("{} — {}", _("CPEC Tracker"), DATA_ENTRY)
admin.site.site_title = format_lazy("{} — {}", _("CPEC Tracker"), DATA_ENTRY)
admin.site.index_title = DATA_ENTRY

urlpatterns = [
    path("", include("dashboard.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("api/", include("api.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The header's language switch, on the login page too (a cookie; docs/i18n.md).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path(settings.ADMIN_URL, admin.site.urls),
]
