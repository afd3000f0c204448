"""The as-of moment travels: every link of a page shown as of a meeting or date keeps it, a banner says
so on every page, and one click returns to now."""

import re

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/projects/",
    "/projects/rail-b/",
    "/lenders/",
    "/lenders/adb/",
    "/jcc/",
    "/jcc/11/",
    "/compare/",
    "/psdp/",
    "/debt/",
    "/map/",
]
#: Links that leave the pages (admin, log-out, static files, outside sites) or choose the moment.
NOT_PAGES = re.compile(r"^(/admin|/static|/accounts|/colours\.css|https?:|#|mailto:)")


def page_links(html):
    return [href.replace("&amp;", "&") for href in re.findall(r'<a [^>]*href="([^"]*)"', html)]


@pytest.mark.parametrize("path", PAGES)
def test_every_link_on_a_page_seen_as_of_a_meeting_keeps_it(viewer_client, portfolio, path):
    html = viewer_client.get(path, {"as_of_jcc": "11"}).content.decode()
    assert 'data-as-of="as_of_jcc=11"' in html or path == "/compare/"  # the compare page names both moments
    back = re.search(r'class="as-of-now" href="([^"]*)"', html)
    links = [link for link in page_links(html) if not NOT_PAGES.match(link) and (not back or link != back[1])]
    assert links, "the page links to other pages"
    lost = [link for link in links if "as_of_jcc=11" not in link and "to-as_of_jcc=11" not in link]
    assert lost == []


@pytest.mark.parametrize("path", ["/", "/projects/", "/lenders/adb/", "/jcc/"])
def test_the_banner_shows_the_moment_and_returns_to_now_keeping_the_filters(viewer_client, portfolio, path):
    html = viewer_client.get(path, {"as_of": "2022-10-27", "page": "1"}).content.decode()
    assert "Showing what was recorded as of <strong>27 Oct 2022</strong>" in html
    back = re.search(r'class="as-of-now" href="([^"]*)"', html)[1]
    assert back == path
    html = viewer_client.get(f"{path}?sector=transport&as_of_jcc=11").content.decode()
    back = re.search(r'class="as-of-now" href="([^"]*)"', html)[1]
    assert back == f"{path}?sector=transport"
    assert "as-of-banner" not in viewer_client.get(back).content.decode()


def test_links_of_a_page_seen_now_carry_no_moment(viewer_client, portfolio):
    html = viewer_client.get("/projects/rail-b/").content.decode()
    assert "as-of-banner" not in html
    assert not [link for link in page_links(html) if "as_of" in link]


def test_meetings_after_the_moment_are_left_out_of_the_list_and_marked_on_their_page(viewer_client, portfolio):
    listed = viewer_client.get("/jcc/", {"as_of_jcc": "11"})
    assert [m.number for m in listed.context["meetings"]] == [11]
    later = viewer_client.get("/jcc/14/", {"as_of_jcc": "11"}).content.decode()
    assert "This meeting came after the 11th JCC (27 Oct 2022)" in later
    assert "This meeting came after" not in viewer_client.get("/jcc/14/").content.decode()


def test_a_bad_moment_on_a_meeting_page_is_a_400_with_the_latest_data(viewer_client, portfolio):
    response = viewer_client.get("/jcc/", {"as_of_jcc": "99"})
    assert response.status_code == 400
    assert [m.number for m in response.context["meetings"]] == [14, 11]
