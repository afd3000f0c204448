"""Login throttling (django-axes): wrong passwords lock a username on one address for a while."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from cpec_tracker.security import client_ip

from .conftest import production_settings

pytestmark = pytest.mark.django_db

PASSWORD = "right-pass-9183"
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def users(db):
    User = get_user_model()
    return {
        "alice": User.objects.create_user("alice", password=PASSWORD),
        "bob": User.objects.create_user("bob", password=PASSWORD),
        "editor": User.objects.create_user("editor-x", password=PASSWORD, is_staff=True),
    }


def attempt(client, username, password, url=LOGIN, ip="192.0.2.10"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return client.get(reverse("dashboard:home")).status_code == 200


def fail(client, username, times, **kwargs):
    return [attempt(client, username, "wrong-password", **kwargs).status_code for _ in range(times)]


def assert_lockout_page(response, minutes=30):
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed logins" in html
    assert f"Try again in {minutes} minutes" in html
    assert response["Retry-After"] == str(minutes * 60)
    # The site's own page (its header and stylesheet), not a bare message.
    assert 'class="brand"' in html and "css/site.css" in html
    assert "Content-Security-Policy" in response


def test_five_wrong_passwords_lock_the_user_out(users, client, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    with time_machine.travel(NOW, tick=False):
        statuses = fail(client, "alice", 5)
        assert statuses[:4] == [200, 200, 200, 200]  # the form again, with its message
        assert statuses[4] == 429
        # Now even the right password is refused, with the lockout page.
        response = attempt(client, "alice", PASSWORD)
        assert_lockout_page(response)
        assert not logged_in(client)


def test_four_wrong_passwords_do_not(users, client):
    with time_machine.travel(NOW, tick=False):
        fail(client, "alice", 4)
        response = attempt(client, "alice", PASSWORD)
        assert response.status_code == 302
        assert logged_in(client)


def test_a_successful_login_starts_the_count_again(users, client):
    with time_machine.travel(NOW, tick=False):
        fail(client, "alice", 4)
        assert attempt(client, "alice", PASSWORD).status_code == 302
        client.logout()
        assert fail(client, "alice", 4) == [200] * 4
        assert attempt(client, "alice", PASSWORD).status_code == 302


def test_other_users_and_other_addresses_are_not_locked(users, client):
    with time_machine.travel(NOW, tick=False):
        fail(client, "alice", 5)
        assert attempt(client, "alice", PASSWORD).status_code == 429
        # Bob, from the same address, logs in.
        assert attempt(client, "bob", PASSWORD).status_code == 302
        assert logged_in(client)
        # Alice from her own office (another address) too: the lock is per username and address.
        other = Client()
        assert attempt(other, "alice", PASSWORD, ip="198.51.100.7").status_code == 302
        assert logged_in(other)


def test_the_lock_ends_after_the_cool_off(users, client):
    with time_machine.travel(NOW, tick=False) as traveller:
        fail(client, "alice", 5)
        traveller.shift(dt.timedelta(minutes=29))
        assert attempt(client, "alice", PASSWORD).status_code == 429  # still locked; the wait starts again
        traveller.shift(dt.timedelta(minutes=29))
        assert attempt(client, "alice", PASSWORD).status_code == 429
        traveller.shift(dt.timedelta(minutes=31))
        response = attempt(client, "alice", PASSWORD)
        assert response.status_code == 302
        assert logged_in(client)


def test_an_administrator_can_lift_the_lock(users, client):
    from axes.utils import reset

    with time_machine.travel(NOW, tick=False):
        fail(client, "alice", 5)
        assert AccessAttempt.objects.filter(username="alice").exists()
        reset(username="alice")
        assert attempt(client, "alice", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(users, client):
    with time_machine.travel(NOW, tick=False):
        statuses = fail(client, "editor-x", 5, url=ADMIN_LOGIN)
        assert statuses == [200, 200, 200, 200, 429]
        assert_lockout_page(attempt(client, "editor-x", PASSWORD, url=ADMIN_LOGIN))
        # ...and the lock holds on the site's login form as well.
        assert attempt(client, "editor-x", PASSWORD).status_code == 429
        assert client.get("/admin/").status_code == 302  # not logged in


def test_failures_on_both_forms_add_up(users, client):
    with time_machine.travel(NOW, tick=False):
        fail(client, "editor-x", 3, url=ADMIN_LOGIN)
        assert fail(client, "editor-x", 2) == [200, 429]


def test_limit_and_cool_off_come_from_the_environment(users, client, settings):
    values = production_settings(AXES_FAILURE_LIMIT="3", AXES_COOLOFF_MINUTES="10")
    assert values["AXES_FAILURE_LIMIT"] == 3
    assert values["AXES_COOLOFF_TIME"] == dt.timedelta(minutes=10)
    settings.AXES_FAILURE_LIMIT = values["AXES_FAILURE_LIMIT"]
    settings.AXES_COOLOFF_TIME = values["AXES_COOLOFF_TIME"]
    with time_machine.travel(NOW, tick=False) as traveller:
        assert fail(client, "alice", 3) == [200, 200, 429]
        assert_lockout_page(attempt(client, "alice", PASSWORD), minutes=10)
        traveller.shift(dt.timedelta(minutes=11))
        assert attempt(client, "alice", PASSWORD).status_code == 302


def test_the_lockout_page_does_not_echo_the_username(users, client):
    """The page is the same whoever is locked out: it reveals nothing and renders no input."""
    payload = "<script>alert(1)</script>"
    with time_machine.travel(NOW, tick=False):
        fail(client, payload, 4)
        response = attempt(client, payload, "wrong-password")
    assert response.status_code == 429
    assert payload not in response.content.decode()


# ------------------------------------------------------------- client address


def request_from(remote, forwarded=None):
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = remote
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_client_address_is_remote_addr_unless_proxies_are_trusted(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("192.0.2.1", "203.0.113.9")) == "192.0.2.1"  # a forged header is ignored


def test_behind_one_proxy_the_client_is_the_last_forwarded_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy appends what it saw; anything before that came from the client and may be forged.
    assert client_ip(request_from("10.0.0.5", "203.0.113.9")) == "203.0.113.9"
    assert client_ip(request_from("10.0.0.5", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(request_from("10.0.0.5")) == "10.0.0.5"  # no header: not through the proxy
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from("10.0.0.5", "1.2.3.4, 203.0.113.9, 10.0.0.4")) == "203.0.113.9"


def test_behind_a_proxy_each_client_is_throttled_on_its_own(users, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.5"
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            client.post(
                LOGIN, {"username": "alice", "password": "nope"}, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9"
            )
        locked = client.post(
            LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9"
        )
        assert locked.status_code == 429
        other = Client().post(
            LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7"
        )
        assert other.status_code == 302


# ------------------------------------------------------------- hostile logins
# Found by tests/security/test_hostile_input.py: both were server errors (axes stores them).


def test_a_username_longer_than_axes_stores_is_throttled_not_a_500(users, client):
    long_name = "0" * 300
    with time_machine.travel(NOW, tick=False):
        assert fail(client, long_name, 5) == [200, 200, 200, 200, 429]
    assert AccessAttempt.objects.get(failures_since_start=5).username == "0" * 255


def test_a_nul_in_the_user_agent_is_recorded_not_a_500(users, client):
    response = client.post(
        LOGIN, {"username": "alice", "password": "wrong"}, REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT="evil\x00agent"
    )
    assert response.status_code == 200
    assert AccessAttempt.objects.get(username="alice").user_agent == "evil\ufffdagent"
    response = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT="evil\x00agent"
    )
    assert response.status_code == 302


def test_a_forged_forwarded_address_is_not_stored(users, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(LOGIN, {"username": "alice", "password": "wrong"}, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="x<y>")
    assert AccessAttempt.objects.get(username="alice").ip_address == "10.0.0.5"
