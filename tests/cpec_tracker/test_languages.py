"""English and Urdu: the switch, the browser's language, right to left, figures, and no page
left half in English.

The untranslated-string check reads every page of the demo portfolio in Urdu as a person
would: the text of the page and of the attributes people read (aria-label, title, alt,
placeholder). What is left after taking out the data (names, decisions, sources: they stay as
entered) and the acronyms the ministry keeps (JCC, PC-I, ECNEC, PSDP…) must hold no English word.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core import checks
from django.http import QueryDict
from django.utils import translation

from dashboard import checks as dashboard_checks
from financing.models import FinancingLine
from projects import money
from projects.models import Project

pytestmark = pytest.mark.django_db

URDU = {settings.LANGUAGE_COOKIE_NAME: "ur"}

#: Every staff page of the demo portfolio, as the browser tests read them, plus the comparison.
PAGES = [
    "/",
    "/?sector=transport&as_of_jcc=11",
    "/projects/",
    "/projects/?lender=aiib&sort=-gap",
    "/projects/ml-1/",
    "/projects/ml-1/?as_of_jcc=11",
    "/projects/kkh-thakot-raikot/",
    "/projects/gb-solar/",
    "/lenders/",
    "/lenders/adb/",
    "/jcc/",
    "/jcc/14/",
    "/psdp/",
    "/psdp/?sector=transport&as_of_jcc=11",
    "/debt/",
    "/debt/?sector=energy&disbursement=over_grace&pkr_per_usd=250",
    "/debt/?pkr_per_usd=-1",
    "/map/",
    "/map/?shade=gap&colour=status&as_of_jcc=11",
    "/compare/?from-as_of_jcc=11&to-as_of_jcc=14",
    "/projects/no-such-project/",
    "/?sector=no-such-sector",
]

#: Latin-script words an Urdu page may show: the ministry's acronyms and the figures' codes.
KEPT = {
    "JCC", "PC-I", "PC", "ECNEC", "PSDP", "CPEC", "OC4IDS", "API", "CSV", "XLSX", "JSON", "US", "Rs",
    "RMB", "PKR", "USD", "CNY", "KKH", "ML-1", "ML", "HVDC", "SEZ", "SEZs", "IPP", "IPPs", "CPPA-G", "GB", "AJK", "KP",
    "ICT", "FATA", "NHA", "WAPDA", "NTDC", "OpenStreetMap", "Plotly", "SBLC", "LIBOR", "SOFR", "EXIM", "Exim",
    "ADB", "AIIB", "IMF", "CDB", "ICBC", "Sinosure", "MW", "km", "kV", "Km", "FY", "GWh", "PPIB",
    # The boundaries' licence by its name; a format's and a product's names.
    "ODbL", "Open", "Database", "License", "GeoJSON", "LineString", "Axes",
}  # fmt: skip

WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*[A-Za-z0-9]|[A-Za-z]")


class VisibleText(HTMLParser):
    """The text a person reads on a page: text nodes (not script, style or template markers) and
    the attributes read out or shown (aria-label, title, alt, placeholder). An element marked as
    in another language (``lang="en"``: the switch's "English", a name as entered) is skipped."""

    SKIP = {"script", "style", "noscript", "textarea"}  # a textarea holds data as entered
    READ = ("aria-label", "title", "alt", "placeholder")
    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "area", "wbr"}

    def __init__(self, language: str = "ur"):
        super().__init__()
        self.language = language
        self.texts: list[str] = []
        self._skipping = 0
        self._stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        lang = dict(attrs).get("lang")
        foreign = tag in self.SKIP or (lang is not None and tag != "html" and not lang.startswith(self.language))
        if tag not in self.VOID:
            self._stack.append((tag, foreign))
            if foreign:
                self._skipping += 1
        if self._skipping:
            return
        for name, value in attrs:
            if name in self.READ and value:
                self.texts.append(value)
            if tag == "input" and name == "value" and dict(attrs).get("type") in ("submit", "button") and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        # Close up to the matching open element (HTML lets some end tags be left out).
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                for _tag, foreign in self._stack[index:]:
                    if foreign:
                        self._skipping -= 1
                del self._stack[index:]
                break

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.texts.append(data.strip())


def data_texts() -> list[str]:
    """What the pages show as entered: names, decisions, notes, sources… longest first."""
    from django.apps import apps

    texts = set()
    for model in apps.get_models():
        if model._meta.app_label not in ("projects", "financing", "budget", "auth"):
            continue
        # Free text only: a field with choices stores a code ("year"), shown by its translated label.
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if f.get_internal_type() in ("CharField", "TextField") and not f.choices
        ]
        if fields and not model._meta.label.startswith("projects.Historical") and "Historical" not in model.__name__:
            for row in model.objects.values_list(*fields):
                texts.update(str(value).strip() for value in row if value and str(value).strip())
    return sorted(texts, key=len, reverse=True)


def english_left(html: str, data: list[str]) -> list[str]:
    parser = VisibleText("ur")
    parser.feed(html)
    left = []
    for text in parser.texts:
        if any(text in value for value in data if len(value) >= len(text)):
            continue  # the whole text is data, or a part of it (a shortened name)
        for value in data:
            if len(value) > 2 and value in text:
                text = text.replace(value, " ")
        text = re.sub(r"\{[^{}]*\}", " ", text)  # a JSON example in a help text: {"type": "LineString", …}
        # Kept: acronyms (PSDP, JCC), source and loan references ([S2], [L1]), source tiers (A-C).
        words = [w for w in WORD.findall(text) if w not in KEPT and not re.fullmatch(r"[A-Z]{1,5}\d*|\d+\w*", w)]
        if words:
            left.append(" ".join(words) + f"   « {text[:80]} »")
    return left


@pytest.fixture
def demo_viewer(client, demo_db):
    """The demo portfolio's viewer, logged in."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="viewer"))
    return client


@pytest.fixture
def urdu_viewer(demo_viewer):
    demo_viewer.cookies.load(URDU)
    return demo_viewer


@pytest.mark.parametrize("url", PAGES)
def test_every_page_reads_in_urdu_with_no_english_left(urdu_viewer, url):
    response = urdu_viewer.get(url)
    assert response.status_code in (200, 400, 404)
    html = response.content.decode()
    assert '<html lang="ur" dir="rtl">' in html
    # What the reader typed in the address (a filter's bad value) is shown back as typed.
    typed = [value for _key, values in QueryDict(url.partition("?")[2]).lists() for value in values]
    left = english_left(html, data_texts() + typed)
    assert not left, f"{url}: English left on the Urdu page:\n  " + "\n  ".join(left)


#: The data-entry pages an editor works in: the index, a list, a project's and a line's forms.
ADMIN_PAGES = [
    "/admin/",
    "/admin/projects/project/",
    "/admin/projects/project/?sector__exact=energy",
    "/admin/projects/project/{project}/change/",
    "/admin/projects/jccmeeting/",
    "/admin/projects/jccmeeting/add/",
    "/admin/financing/financingline/",
    "/admin/financing/financingline/{line}/change/",
    "/admin/financing/lender/",
    "/admin/projects/project/{project}/history/",
]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_every_admin_page_reads_in_urdu_with_no_english_left(admin_client, demo_db, url):
    project = Project.objects.get(slug="ml-1")
    line = FinancingLine.objects.filter(project=project).first()
    url = url.format(project=project.pk, line=line.pk)
    admin_client.cookies.load(URDU)
    response = admin_client.get(url)
    assert response.status_code == 200
    left = english_left(response.content.decode(), data_texts())
    assert not left, f"{url}: English left on the Urdu page:\n  " + "\n  ".join(left)


def test_the_check_finds_english_where_it_is_left(demo_viewer):
    """The check above can fail: on the English dashboard it finds the page's own words, and none
    of the data's."""
    html = demo_viewer.get("/").content.decode()
    left = " ".join(english_left(html, data_texts()))
    for word in ("Dashboard", "Projects", "Lenders", "Map", "Compare"):
        assert word in left
    assert "Karakoram" not in left and "Export-Import Bank" not in left


@pytest.mark.parametrize("url", PAGES)
def test_every_page_still_reads_in_english(demo_viewer, url):
    response = demo_viewer.get(url)
    html = response.content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert not re.search(r"[\u0600-\u06FF]", re.sub(r'<button[^>]*lang="ur"[^>]*>[^<]*</button>', "", html)), (
        "Urdu on an English page (outside the switch's own 'اردو')"
    )


def test_the_login_page_follows_the_browser_first_then_the_switch(client, db):
    page = client.get("/accounts/login/", headers={"accept-language": "ur-PK,ur;q=0.9,en;q=0.5"})
    assert '<html lang="ur" dir="rtl">' in page.content.decode()
    page = client.get("/accounts/login/", headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="en" dir="ltr">' in page.content.decode()

    # The switch works before logging in and is remembered for a year, over the browser's language.
    response = client.post("/i18n/setlang/", {"language": "ur", "next": "/accounts/login/?next=/map/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/map/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "ur"
    assert int(cookie["max-age"]) == 365 * 24 * 60 * 60
    page = client.get("/accounts/login/", headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="ur" dir="rtl">' in page.content.decode()


def test_the_switch_keeps_the_page_and_its_moment(viewer_client):
    target = "/projects/?as_of_jcc=11&sector=energy"
    response = viewer_client.post("/i18n/setlang/", {"language": "ur", "next": target})
    assert response["Location"] == target
    # Another site is never where the switch sends anyone.
    response = viewer_client.post("/i18n/setlang/", {"language": "en", "next": "https://example.com/"})
    assert response["Location"] == "/"


def test_the_header_switch_names_each_language_in_itself_and_marks_the_current(viewer_client):
    html = viewer_client.get("/projects/?sector=energy", headers={"accept-language": "ur"}).content.decode()
    assert 'value="ur" lang="ur" aria-pressed="true">اردو</button>' in html
    assert 'value="en" lang="en" aria-pressed="false">English</button>' in html
    assert '<input type="hidden" name="next" value="/projects/?sector=energy">' in html


def test_a_cached_page_is_cached_per_language(viewer_client, settings):
    settings.CPEC_CACHE_FIGURES = True
    english = viewer_client.get("/projects/").content.decode()
    urdu = viewer_client.get("/projects/", headers={"accept-language": "ur"}).content.decode()
    again = viewer_client.get("/projects/").content.decode()
    assert '<html lang="en"' in english and '<html lang="en"' in again
    assert '<html lang="ur" dir="rtl">' in urdu


# Figures -----------------------------------------------------------------------------------


def test_figures_in_urdu_keep_western_digits_and_use_urdu_units():
    with translation.override("ur"):
        assert money.usd_text(Decimal("2000000000")) == "2.00 ارب ڈالر"
        assert money.usd_text(Decimal("350000000")) == "350.0 ملین ڈالر"
        assert money.pkr_text(Decimal("576000000000")) == "576.0 ارب روپے"
        assert money.compact_money(Decimal("1500000000"), "USD") == "1.5 ارب ڈالر"
    with translation.override("en"):
        assert money.usd_text(Decimal("2000000000")) == "US$ 2.00bn"
        assert money.pkr_text(Decimal("576000000000")) == "Rs 576.0bn"


def test_lakh_and_crore_where_the_reader_picks_them():
    token = money.use_style(money.LAKH)
    try:
        with translation.override("en"):
            # 576,000,000,000 / 10,000,000 = 57,600 crore; 24,957,000,000 / 10^7 = 2,495.7 → 2,496.
            assert money.pkr_text(Decimal("576000000000")) == "Rs 57,600 crore"
            assert money.pkr_text(Decimal("24957000000")) == "Rs 2,496 crore"
            assert money.pkr_text(Decimal("35000000")) == "Rs 3.5 crore"
            assert money.pkr_text(Decimal("250000")) == "Rs 2.5 lakh"
            # Dollars stay in billions and millions, as the briefs write them.
            assert money.usd_text(Decimal("2000000000")) == "US$ 2.00bn"
        with translation.override("ur"):
            assert money.pkr_text(Decimal("576000000000")) == "57,600 کروڑ روپے"
            assert money.pkr_text(Decimal("250000")) == "2.5 لاکھ روپے"
    finally:
        money.reset_style(token)


def test_the_figures_switch_changes_a_page_and_is_remembered(viewer_client, db):
    response = viewer_client.post("/preferences/figures", {"figures": "lakh", "next": "/psdp/?as_of_jcc=11"})
    assert response.status_code == 302
    assert response["Location"] == "/psdp/?as_of_jcc=11"
    assert response.cookies["cpec_numbers"].value == "lakh"
    html = viewer_client.get("/psdp/").content.decode()
    assert 'name="figures" value="lakh" aria-pressed="true"' in html


def test_a_bad_figures_choice_is_a_400_and_an_outside_address_goes_home(viewer_client):
    response = viewer_client.post("/preferences/figures", {"figures": "roman", "next": "/"})
    assert response.status_code == 400
    assert "billions or lakh / crore" in response.content.decode()
    response = viewer_client.post("/preferences/figures", {"figures": "short", "next": "//evil.example/"})
    assert response["Location"] == "/"
    assert viewer_client.get("/preferences/figures").status_code == 405


def test_a_project_page_in_lakh_crore_shows_its_rupee_figures_in_crore(viewer_client, demo_db):
    viewer_client.cookies.load({"cpec_numbers": "lakh"})
    html = viewer_client.get("/psdp/").content.decode()
    assert " crore" in html
    assert not re.search(r"Rs [\d,.]+bn", html)


# Urdu names ----------------------------------------------------------------------------------


def test_a_project_with_an_urdu_name_shows_it_in_urdu_only(viewer_client, demo_db):
    project = Project.objects.get(slug="ml-1")
    project.name_ur = "مین لائن ون"
    project.save()
    english = viewer_client.get("/projects/ml-1/").content.decode()
    urdu = viewer_client.get("/projects/ml-1/", headers={"accept-language": "ur"}).content.decode()
    assert "مین لائن ون" not in english
    beside = f'<small class="name-as-entered" lang="en">{project.name}</small>'
    heading = f'<h1><span lang="ur">مین لائن ون</span> {beside}</h1>'
    assert heading in urdu  # the name as entered stays beside it
    listed = viewer_client.get("/projects/", headers={"accept-language": "ur"}).content.decode()
    assert '<span lang="ur">مین لائن ون</span>' in listed
    assert "مین لائن ون" not in viewer_client.get("/projects/").content.decode()


# Admin ---------------------------------------------------------------------------------------


def test_the_admin_reads_in_urdu(admin_client, demo_db):
    html = admin_client.get("/admin/", headers={"accept-language": "ur"}).content.decode()
    assert '<html lang="ur" dir="rtl">' in html
    with translation.override("ur"):
        # Django's own Urdu for its admin, ours for what Django leaves in English, and our sections.
        for text in ("Welcome,", "Skip to main content", "Recent actions"):
            assert translation.gettext(text) != text
            assert translation.gettext(text) in html
    assert "سی پیک ٹریکر — ڈیٹا اندراج" in html


def test_an_admin_form_error_reads_in_urdu(admin_client, demo_db):
    line = FinancingLine.objects.first()
    response = admin_client.post(
        f"/admin/financing/financingline/{line.pk}/change/", {}, headers={"accept-language": "ur"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." not in html


# Checks -------------------------------------------------------------------------------------


def test_the_urdu_typeface_is_the_file_recorded(tmp_path):
    assert dashboard_checks.font_problems() == []
    name = next(iter(dashboard_checks.FONT_FILES))
    (tmp_path / name).write_bytes(b"not a font")
    [error, missing] = dashboard_checks.font_problems(tmp_path)
    assert error.id == "dashboard.E005" and missing.id == "dashboard.E004"


def test_an_uncompiled_catalogue_is_a_warning(tmp_path):
    po = tmp_path / "ur" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n')
    [warning] = dashboard_checks.catalogue_problems(tmp_path)
    assert warning.id == "dashboard.W001"
    assert dashboard_checks.catalogue_problems() == []  # the committed catalogue is compiled (setup)
    assert not [m for m in checks.run_checks() if m.id.startswith("dashboard.")]
