"""Property tests: whatever a query string, a path or a login form holds, no page answers 5xx.

Every page is fetched with generated query strings — the parameters it knows (filled with
valid values, so filters really hit the demo portfolio's rows, or with hostile ones) mixed
with unknown keys and repeated keys — and with generated path parameters. Hostile values:
arbitrary unicode (no lone surrogates: they cannot be sent), NUL and control characters,
raw bytes that are not UTF-8, huge, negative and non-finite numbers, impossible and extreme
dates, very long strings.

A server error fails with the URL that caused it (the test client re-raises the view's
exception; hypothesis then prints the shrunk input). Profiles: tests/security/conftest.py.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from financing.choices import FinancingStatus, Instrument, LenderKind
from financing.models import Lender
from projects.choices import ProjectStatus, Region, Sector
from projects.models import JCCMeeting, Project

pytestmark = pytest.mark.django_db

AS_OF = ("as_of", "as_of_jcc")
PORTFOLIO = (
    "q",
    "sector",
    "status",
    "region",
    "lender",
    "lender_kind",
    "instrument",
    "financing_status",
    "meeting",
    "cost_min",
    "cost_max",
    "completion_after",
    "completion_before",
    "has_gap",
    "sort",
    "page",
    "disbursement",  # the debt page's assumptions; the other pages ignore them
    "pkr_per_usd",
    *AS_OF,
)
SORTS = ["name", "sector", "status", "cost", "gap", "gap_percent", "completion"]

# ------------------------------------------------------------------ strategies
unicode_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
control_text = st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=5)
long_text = st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(200, 3000))
numbers = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        ["NaN", "nan", "inf", "-inf", "Infinity", "1e999999", "-0", "0x1F", "1_000", "٣", "½", " 5 ", "5,5"]
    ),
)
dates = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(
        [
            "0000-00-00",
            "2024-02-30",
            "2023-02-29",
            "2024-13-01",
            "99999-01-01",
            "9999-12-31",
            "0001-01-01",
            "1989-12-31",
            "1990-01-01",
            "2024-06-01T00:00:00",
            "2024-06-01 12:00",
            "today",
            "-2024-01-01",
        ]
    ),
)
raw_bytes = st.binary(max_size=12)  # sent percent-encoded as they are: often not UTF-8

hostile = st.one_of(unicode_text, control_text, long_text, numbers, dates, raw_bytes, st.just(""))


def valid_values(catalog) -> dict[str, st.SearchStrategy]:
    """Values each parameter accepts, so that filters select real rows."""
    return {
        "q": st.sampled_from(["ML-1", "rail", "Karachi", "power", "a", "%", "_", "'"]),
        "sector": st.sampled_from(Sector.values),
        "status": st.sampled_from(ProjectStatus.values),
        "region": st.sampled_from(Region.values),
        "lender": st.sampled_from(catalog["lenders"]),
        "lender_kind": st.sampled_from(LenderKind.values),
        "instrument": st.sampled_from(Instrument.values),
        "financing_status": st.sampled_from(FinancingStatus.values),
        "meeting": st.sampled_from(catalog["meetings"]).map(str),
        "cost_min": st.decimals(0, 100000, places=2).map(str),
        "cost_max": st.decimals(0, 10000000, places=2).map(str),
        "completion_after": st.dates(dt.date(2010, 1, 1), dt.date(2040, 1, 1)).map(dt.date.isoformat),
        "completion_before": st.dates(dt.date(2010, 1, 1), dt.date(2040, 1, 1)).map(dt.date.isoformat),
        "has_gap": st.sampled_from(["true", "false", "", "1", "0", "unknown"]),
        "sort": st.sampled_from(SORTS + [f"-{s}" for s in SORTS]),
        "page": st.integers(-3, 10).map(str),
        "as_of": st.dates(dt.date(1990, 1, 1), dt.date(2035, 1, 1)).map(dt.date.isoformat),
        "as_of_jcc": st.sampled_from(catalog["meetings"]).map(str),
        "disbursement": st.sampled_from(["at_start", "over_grace"]),
        "pkr_per_usd": st.decimals(1, 1000, places=4).map(str),
    }


def query(data, catalog, known: tuple[str, ...]) -> str:
    """Draw a query string: known keys with valid or hostile values, unknown keys, repeats."""
    valid = valid_values(catalog)
    # Half the keys are ones the page knows; every other one a random (maybe undecodable) key.
    key = st.one_of(st.sampled_from(known), unicode_text | raw_bytes) if known else unicode_text | raw_bytes
    pairs = data.draw(st.lists(st.tuples(key, st.booleans()), max_size=8), label="keys")
    parts = []
    for name, use_valid in pairs:
        if use_valid and isinstance(name, str) and name in valid:
            value = data.draw(valid[name], label=name)
        else:
            value = data.draw(hostile, label=f"hostile {name!r}")
        parts.append(f"{quote(name, safe='')}={quote(value, safe='')}")
    return "&".join(parts)


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def catalog(demo_db, django_db_blocker):
    with django_db_blocker.unblock():
        return {
            "projects": sorted(Project.objects.values_list("slug", flat=True)),
            "lenders": sorted(Lender.objects.values_list("slug", flat=True)),
            "meetings": sorted(JCCMeeting.objects.values_list("number", flat=True)),
        }


@pytest.fixture
def browser_client(catalog):
    """The demo viewer, logged in; re-raises a view's exception (a 500) into the test."""
    client = Client(raise_request_exception=True)
    client.force_login(get_user_model().objects.get(username="viewer"))
    return client


def fetch(client, url: str, allowed: set[int], method: str = "GET", **kwargs):
    try:
        response = client.generic(method, url, **kwargs)
    except Exception as exc:  # the view raised: a 500 for a real visitor
        raise AssertionError(f"{method} {url} raised {type(exc).__name__}: {exc}") from exc
    assert response.status_code < 500, f"{method} {url} answered {response.status_code}"
    assert response.status_code in allowed, f"{method} {url} answered {response.status_code}, expected {allowed}"
    return response


#: Page fetches are cheap: these properties run this many times the profile's examples, so that the
#: suite sends at least 10,000 generated requests (Makefile: CPEC_MIN_GENERATED_REQUESTS).
PAGE_SCALE = 4
many = hypothesis_settings(max_examples=hypothesis_settings.default.max_examples * PAGE_SCALE)


def test_the_demo_portfolio_is_there(catalog):
    """The properties below fill filters from it; an empty catalogue would test nothing."""
    assert len(catalog["projects"]) > 10 and len(catalog["lenders"]) > 5 and len(catalog["meetings"]) > 5


# ------------------------------------------------------------------ properties
PORTFOLIO_PAGES = pytest.mark.parametrize(
    "path",
    ["/", "/projects/", "/projects/export.csv", "/projects/export.xlsx", "/psdp/", "/debt/", "/map/"],
    ids=["dashboard", "list", "csv", "xlsx", "psdp", "debt", "map"],
)


@PORTFOLIO_PAGES
@many
@given(data=st.data())
def test_portfolio_pages_never_fail(browser_client, catalog, path, data):
    fetch(browser_client, f"{path}?{query(data, catalog, PORTFOLIO)}", {200, 400})


KNOWN_HARD_QUERIES = [
    "as_of=9999-12-31",
    "as_of=0001-01-01",
    "as_of=1990-01-01&as_of_jcc=",
    "cost_min=1e999999&cost_max=-inf",
    "cost_min=NaN",
    "page=99999999999999999999999&sort=-gap",
    "page=-1&page=2&page=x",
    "q=%00&q=%ff%fe",
    "meeting=99999999999999999999&as_of_jcc=-1",
    "completion_after=9999-12-31&completion_before=0001-01-01",
    "sector=transport&sector=transport&sector=%00",
    "lender=" + "x" * 5000,
    "%ff=%ff",
    "sort=-name&sort=gap&sort=",
    "pkr_per_usd=1e999999&disbursement=%00",
    "pkr_per_usd=NaN&pkr_per_usd=-inf",
    "pkr_per_usd=0.00001&disbursement=over_grace&as_of=1990-01-01",
]


@PORTFOLIO_PAGES
@pytest.mark.parametrize("qs", KNOWN_HARD_QUERIES)
def test_known_hard_queries(browser_client, path, qs):
    """Cases worth running every time, whatever hypothesis draws."""
    fetch(browser_client, f"{path}?{qs}", {200, 400})


RESULT_COUNT = re.compile(r'<p class="result-count"[^>]*><strong>(\d+)</strong>')


@hypothesis_settings(max_examples=max(10, hypothesis_settings.default.max_examples // 3))
@given(data=st.data())
def test_valid_filters_select_the_rows_the_export_holds(browser_client, catalog, data):
    """Any combination of valid filters: a 200, and the CSV export holds exactly the listed projects."""
    valid = valid_values(catalog)
    names = data.draw(st.lists(st.sampled_from([n for n in PORTFOLIO if n != "page"]), max_size=5, unique=True))
    params = {name: data.draw(valid[name], label=name) for name in names}
    for low, high in (("cost_min", "cost_max"), ("completion_after", "completion_before")):
        if low in params and high in params and _ordered(params[low], params[high]) is False:
            params[low], params[high] = params[high], params[low]
    qs = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    listing = fetch(browser_client, f"/projects/?{qs}", {200}).content.decode()
    count = int(RESULT_COUNT.search(listing)[1])
    rows = fetch(browser_client, f"/projects/export.csv?{qs}", {200}).content.decode("utf-8-sig").splitlines()
    assert len(rows) - 1 == count, qs


def _ordered(low: str, high: str):
    try:
        return Decimal(low) <= Decimal(high)
    except ArithmeticError:
        return low <= high  # ISO dates order as text


@pytest.mark.parametrize("kind", ["projects", "lenders"])
@many
@given(data=st.data())
def test_detail_pages_never_fail(browser_client, catalog, kind, data):
    real = data.draw(st.booleans(), label="real slug")
    if real:
        slug = data.draw(st.sampled_from(catalog[kind]), label="slug")
        allowed = {200, 400}
    else:
        slug = data.draw(st.one_of(unicode_text, long_text, raw_bytes, numbers).filter(bool), label="slug")
        allowed = {200, 400, 404}
    url = f"/{kind}/{quote(slug, safe='')}/?{query(data, catalog, AS_OF)}"
    fetch(browser_client, url, allowed)


@many
@given(data=st.data())
def test_lender_list_never_fails(browser_client, catalog, data):
    fetch(browser_client, f"/lenders/?{query(data, catalog, AS_OF)}", {200, 400})


@many
@given(data=st.data())
def test_meeting_pages_never_fail(browser_client, catalog, data):
    choice = data.draw(st.sampled_from(["real", "int", "text"]), label="meeting")
    if choice == "real":
        number, allowed = str(data.draw(st.sampled_from(catalog["meetings"]))), {200}
    elif choice == "int":
        number, allowed = str(data.draw(st.integers(min_value=-(10**30), max_value=10**30))), {200, 404}
    else:
        number, allowed = data.draw(st.one_of(unicode_text, long_text, raw_bytes, numbers).filter(bool)), {200, 404}
    fetch(browser_client, f"/jcc/{quote(number, safe='')}/?{query(data, catalog, ())}", allowed)
    fetch(browser_client, f"/jcc/?{query(data, catalog, ())}", {200})


@many
@given(data=st.data())
def test_open_pages_never_fail(browser_client, catalog, data):
    qs = query(data, catalog, ("next",))
    fetch(browser_client, f"/colours.css?{qs}", {200})
    fetch(browser_client, f"/healthz?{qs}", {200})
    fetch(Client(raise_request_exception=True), f"/accounts/login/?{qs}", {200})


@many
@given(data=st.data())
def test_unknown_paths_are_404(browser_client, data):
    segments = data.draw(st.lists(st.one_of(unicode_text, raw_bytes, long_text).filter(bool), min_size=1, max_size=3))
    url = "/zz-" + "/".join(quote(s, safe="") for s in segments)
    fetch(browser_client, url, {404})


@given(
    username=st.one_of(unicode_text, long_text, control_text, st.sampled_from(["viewer", "admin", ""])),
    password=st.one_of(unicode_text, long_text, control_text),
    next_url=st.one_of(
        unicode_text, st.sampled_from(["//evil.example/", "https://evil.example/", "javascript:alert(1)"])
    ),
    user_agent=st.one_of(unicode_text, control_text),
    forwarded=st.one_of(unicode_text, st.just("203.0.113.9"), st.just("::1, 2001:db8::1")),
)
def test_login_form_never_fails(catalog, settings, username, password, next_url, user_agent, forwarded):
    """Hostile credentials, redirect targets and headers: the form, the lockout page or a redirect home."""
    settings.TRUSTED_PROXY_COUNT = 1  # the client address is then read from X-Forwarded-For
    client = Client(raise_request_exception=True)
    response = fetch(
        client,
        "/accounts/login/",
        {200, 302, 429},
        method="POST",
        data=f"username={quote(username)}&password={quote(password)}&next={quote(next_url)}",
        content_type="application/x-www-form-urlencoded",
        HTTP_USER_AGENT=user_agent,
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    if response.status_code == 302:  # never sent to another site
        assert response["Location"].startswith("/") and not response["Location"].startswith("//")
