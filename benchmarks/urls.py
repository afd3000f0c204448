"""The site's URLs plus the benchmark's floor page; used only while ``benchmark_pages`` measures."""

from django.urls import path

from cpec_tracker.urls import urlpatterns as site_urlpatterns

from . import views

urlpatterns = [
    path("benchmark/floor/", views.floor, name="benchmark-floor"),
    *site_urlpatterns,
]
