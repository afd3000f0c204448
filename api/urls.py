"""The API's addresses, versioned (``/api/v1/…``), and its OpenAPI description and documentation page."""

from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("v1/projects/", views.ProjectList.as_view(), name="projects"),
    path("v1/projects/<slug:slug>/", views.ProjectDetail.as_view(), name="project"),
    path("v1/projects.oc4ids.json", views.Oc4idsPackage.as_view(), name="oc4ids"),
    path("v1/lenders/", views.LenderList.as_view(), name="lenders"),
    path("v1/lenders/<slug:slug>/", views.LenderDetail.as_view(), name="lender"),
    path("v1/meetings/", views.MeetingList.as_view(), name="meetings"),
    path("v1/meetings/<int:number>/", views.MeetingDetail.as_view(), name="meeting"),
    path("v1/exchange-rates/", views.ExchangeRateList.as_view(), name="exchange_rates"),
    path("v1/schema/", SpectacularJSONAPIView.as_view(api_version="1"), name="schema"),
    # The documentation page is for people in a browser: without a login it sends them to the login
    # page, as every page does. Its script is a file of its own (the split view): no inline script.
    path(
        "v1/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html")),
        name="docs",
    ),
]
