"""The read-replica router (cpec_tracker/db_routers.py) against two real PostgreSQL databases.

The suite runs on one database, so here one test starts pytest again on this module with
``cpec_tracker.settings_replica_test``: DATABASE_REPLICA_URL set, the settings' replica block
on, and two test databases that are *not* mirrors. The replica's starts as a copy of the
primary's (same schema, by ``CREATE DATABASE … TEMPLATE``); then each test puts rows in one and
not the other, so what a page shows tells which database it read. Each test runs in a
transaction on both databases, rolled back after it.
"""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
ROUTED = "replica" in settings.DATABASES

if not ROUTED:
    #: The tests below, run in the second process.
    ROUTED_TESTS = 11

    def test_router_on_a_primary_and_a_replica(request):
        # The suite's own settings stay here: which Django settings, and the count of generated
        # requests the whole suite must reach (make test), which these eleven tests alone never do.
        outer = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "CPEC_MIN_GENERATED_REQUESTS"}
        env = {k: v for k, v in os.environ.items() if k not in outer}
        args = [__file__, "-q", "-p", "no:randomly", "-p", "no:xdist", "-p", "no:cacheprovider"]
        args.append("--ds=cpec_tracker.settings_replica_test")
        if request.config.getoption("create_db"):
            args.append("--create-db")
        run = subprocess.run(
            [sys.executable, "-m", "pytest", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
        assert re.search(rf"\b{ROUTED_TESTS} passed\b", run.stdout), run.stdout[-3000:]

else:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connections, router
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import reverse

    from cpec_tracker.db_routers import PIN_COOKIE, ReplicaRoutingMiddleware
    from dashboard.models import DataVersion
    from projects.models import Phase, Project, Source
    from tests.factories import ProjectFactory, SourceFactory
    from tests.htmlforms import form_data

    pytestmark = pytest.mark.django_db(databases=["default", "replica"])

    @pytest.fixture(scope="session")
    def django_db_setup(request, django_db_blocker):
        """The primary's test database (kept between runs unless --create-db, like the suite's), and its copy."""
        primary, replica = connections["default"], connections["replica"]
        replica_name = replica.settings_dict["TEST"]["NAME"]
        with django_db_blocker.unblock():
            primary_name = primary.creation.create_test_db(
                verbosity=0, autoclobber=True, serialize=False, keepdb=not request.config.getoption("create_db")
            )
            primary.close()
            with primary._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{replica_name}"')
                cursor.execute(f'CREATE DATABASE "{replica_name}" TEMPLATE "{primary_name}"')
            replica.settings_dict["NAME"] = replica_name
            # Data versions apart from the primary's, so figures cached from one never answer for the other.
            with replica.cursor() as cursor:
                cursor.execute("SELECT setval('dashboard_data_version_seq', 1000000)")
        yield
        with django_db_blocker.unblock():
            connections.close_all()
            with primary._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{replica_name}"')

    @pytest.fixture(autouse=True)
    def empty_cache():
        cache.clear()

    def on_replica(**fields) -> Project:
        """A project in the replica's database only."""
        project = ProjectFactory.build(**fields)
        project.save(using="replica")
        return project

    def names_on(response) -> set[str]:
        """Which of the test's project names the page shows."""
        text = response.content.decode()
        return {name for name in ("Primary Road", "Replica Road") if name in text}

    @pytest.fixture
    def two_projects():
        ProjectFactory(name="Primary Road", slug="primary-road")
        on_replica(name="Replica Road", slug="replica-road")

    def test_page_reads_the_replica_while_login_reads_the_primary(viewer_client, viewer, two_projects):
        response = viewer_client.get(reverse("dashboard:projects"))
        assert response.status_code == 200
        assert names_on(response) == {"Replica Road"}
        # The viewer and their session exist on the primary only, and the page knew them.
        assert not get_user_model().objects.using("replica").filter(pk=viewer.pk).exists()
        assert response.context["user"] == viewer

    def test_page_footer_gives_the_replicas_data_version(viewer_client, two_projects):
        karachi = dt.timezone(dt.timedelta(hours=5))
        DataVersion.objects.using("default").update(changed_at=dt.datetime(2024, 1, 2, 3, 4, tzinfo=karachi))
        DataVersion.objects.using("replica").update(changed_at=dt.datetime(2023, 5, 6, 7, 8, tzinfo=karachi))
        text = viewer_client.get(reverse("dashboard:projects")).content.decode()
        assert "Data last updated 6 May 2023, 07:08" in text
        assert "2 Jan 2024" not in text

    def test_admin_reads_the_primary(admin_client, two_projects):
        response = admin_client.get(reverse("admin:projects_project_changelist"))
        assert response.status_code == 200
        assert names_on(response) == {"Primary Road"}

    def test_admin_save_writes_the_primary_only_and_pins_the_browser_to_it(admin_client, two_projects):
        # The same source in both databases, as replication would have it.
        source = SourceFactory(title="Annual plan")
        Source.objects.using("replica").create(pk=source.pk, title="Annual plan", publisher="P", url="https://a.b/")
        url = reverse("admin:projects_source_change", args=[source.pk])
        data = form_data(admin_client.get(url), form_id="source_form")
        data["title"] = "Annual plan, revised"
        response = admin_client.post(url, data)
        assert response.status_code == 302
        assert Source.objects.using("default").get(pk=source.pk).title == "Annual plan, revised"
        assert Source.objects.using("replica").get(pk=source.pk).title == "Annual plan"
        pin = response.cookies[PIN_COOKIE]
        assert (pin["max-age"], bool(pin["httponly"])) == (10, True)

        # For the next 10 seconds this browser's pages read the primary, where its edit is.
        assert names_on(admin_client.get(reverse("dashboard:projects"))) == {"Primary Road"}
        del admin_client.cookies[PIN_COOKIE]
        assert names_on(admin_client.get(reverse("dashboard:projects"))) == {"Replica Road"}

    def test_page_request_that_writes_reads_the_primary_from_then_on(two_projects):
        seen = []

        def view(request):
            seen.append(set(Project.objects.values_list("name", flat=True)))
            Source.objects.create(title="Written", publisher="P", url="https://a.b/")
            seen.append(set(Project.objects.values_list("name", flat=True)))
            return HttpResponse()

        response = ReplicaRoutingMiddleware(view)(RequestFactory().get("/projects/"))
        assert seen == [{"Replica Road"}, {"Primary Road"}]
        assert Source.objects.using("default").filter(title="Written").count() == 1
        assert not Source.objects.using("replica").filter(title="Written").exists()
        assert PIN_COOKIE in response.cookies

    @pytest.mark.parametrize("method", ["post", "put", "delete"])
    def test_non_safe_method_reads_the_primary(method, two_projects):
        seen = []

        def view(request):
            seen.append(set(Project.objects.values_list("name", flat=True)))
            return HttpResponse()

        response = ReplicaRoutingMiddleware(view)(getattr(RequestFactory(), method)("/projects/"))
        assert seen == [{"Primary Road"}]
        assert PIN_COOKIE not in response.cookies  # it read, it wrote nothing

    def test_database_cache_is_on_the_primary_and_filling_it_pins_nothing(viewer_client, two_projects, settings):
        database_cache = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "router_cache"}
        settings.CACHES = {"default": database_cache}
        call_command("createcachetable", database="default")  # on the primary only, like migrate
        response = viewer_client.get(reverse("dashboard:projects"))
        assert names_on(response) == {"Replica Road"}
        assert PIN_COOKIE not in response.cookies
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM router_cache")
            assert cursor.fetchone()[0] >= 1  # the page's figures were cached there

    def test_storing_computed_loan_schedules_pins_nothing(two_projects):
        """The debt page stores the schedules it computes (financing.schedules) on the primary, from a
        page request: figures computed once and kept, not a change of data, so the page goes on reading
        the replica and the browser is not pinned."""
        import uuid
        from decimal import Decimal

        from financing.models import LoanSchedule
        from financing.schedules import fill

        key = uuid.uuid4()
        inputs = {
            "schedule_key": key,
            "s_principal": Decimal("1000000.00"),
            "s_rate": Decimal("6"),
            "s_tenor": 36,
            "s_grace": 12,
            "s_profile": "equal_principal",
            "s_ppy": 2,
            "s_upfront": Decimal("0"),
            "s_insurance": Decimal("0"),
            "s_commitment": Decimal("0"),
            "s_start": dt.date(2020, 1, 15),
        }
        seen = []

        def view(request):
            computed = fill([inputs], "at_start")
            seen.append((computed[key].interest, set(Project.objects.values_list("name", flat=True))))
            return HttpResponse()

        response = ReplicaRoutingMiddleware(view)(RequestFactory().get("/debt/"))
        assert seen == [(Decimal("135000.00"), {"Replica Road"})]
        assert PIN_COOKIE not in response.cookies
        assert LoanSchedule.objects.using("default").filter(key=key).exists()
        assert not LoanSchedule.objects.using("replica").filter(key=key).exists()

    def test_outside_a_request_everything_is_the_primary(two_projects):
        # Management commands, the shell, background work.
        assert set(Project.objects.values_list("name", flat=True)) == {"Primary Road"}
        assert router.db_for_read(Project) == router.db_for_write(Project) == "default"
        assert router.allow_migrate("default", "projects") is True
        assert router.allow_migrate("replica", "projects") is False
        # An object read from the replica may be linked to one written to the primary.
        replica_road = Project.objects.using("replica").get(slug="replica-road")
        phase = Phase(project=replica_road, order=1, name="Phase 1")
        assert phase.project_id == replica_road.pk
