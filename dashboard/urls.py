from django.urls import path, re_path

from . import colours, preferences, views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("projects/", views.project_list, name="projects"),
    re_path(r"^projects/export\.(?P<fmt>csv|xlsx)$", views.project_export, name="project_export"),
    path("projects/export.oc4ids.json", views.project_export_oc4ids, name="project_export_oc4ids"),
    path("projects/<slug:slug>/", views.project_detail, name="project"),
    path("psdp/", views.psdp, name="psdp"),
    path("debt/", views.debt, name="debt"),
    path("map/", views.corridor_map, name="map"),
    path("lenders/", views.lender_list, name="lenders"),
    path("lenders/<slug:slug>/", views.lender_detail, name="lender"),
    path("jcc/", views.meeting_list, name="meetings"),
    path("jcc/<int:number>/", views.meeting_detail, name="meeting"),
    path("compare/", views.compare, name="compare"),
    path("colours.css", colours.colours_css, name="colours_css"),
    path("preferences/figures", preferences.number_style, name="number_style"),
]
