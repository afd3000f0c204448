"""Root URLs. Every page needs a login except the login page and /healthz."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

#: The one name of the data-entry area (Django's admin), wherever an editor sees it: the site
#: menu's link to it (templates/base.html), its header, its pages' titles and its index.
DATA_ENTRY = "Data entry"

admin.site.site_header = f"CPEC Tracker — {DATA_ENTRY}"
admin.site.site_title = f"CPEC Tracker — {DATA_ENTRY}"
admin.site.index_title = DATA_ENTRY

urlpatterns = [
    path("", include("dashboard.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("api/", include("api.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(settings.ADMIN_URL, admin.site.urls),
]
