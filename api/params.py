"""The API's query parameters: the as-of moment and paging, validated as the pages validate them.

Invalid input is a 400 with the forms' messages as JSON (``{"as_of": ["Enter a valid date."]}``),
never a 500; a page past the last one is a 404, like a missing object.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.utils.urls import remove_query_param, replace_query_param

from dashboard.asof import AsOf, moment_from

#: Rows per page unless ``page_size`` asks otherwise, and the most it may ask for.
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
#: A page number of more digits is past any page.
MAX_PAGE_DIGITS = 9


def form_errors(form) -> dict[str, list[str]]:
    """A form's messages by field (``non_field_errors`` for the form's own), as DRF words a 400."""
    return {("non_field_errors" if name == "__all__" else name): list(errors) for name, errors in form.errors.items()}


def moment(request) -> AsOf:
    """The moment asked for with ``as_of_jcc`` (a meeting number) or ``as_of`` (a date): the meeting
    wins when both are given, now when neither is (``dashboard.asof.moment_from``). 400 when invalid."""
    data = request.query_params
    form, chosen, valid = moment_from(data if any(key in data for key in AsOf.PARAMETERS) else None)
    if not valid:
        raise ValidationError(form_errors(form))
    return chosen


def moment_data(chosen: AsOf) -> dict:
    """The moment a response is as of: ``{"as_of": date or null, "as_of_jcc": number or null}``."""
    return {"as_of": chosen.date, "as_of_jcc": chosen.meeting.number if chosen.meeting else None}


@dataclass(frozen=True)
class Paging:
    """The page asked for (``page``, from 1) and its size (``page_size``, up to ``MAX_PAGE_SIZE``)."""

    number: int
    size: int

    @classmethod
    def from_request(cls, request, *, name: str = "page") -> Paging:
        return cls(number=_page_number(request, name), size=_page_size(request))


def _page_number(request, name: str) -> int:
    value = request.query_params.get(name)
    if value is None or value == "":
        return 1
    digits = value.isascii() and value.isdigit()
    if digits and len(value) > MAX_PAGE_DIGITS:
        raise NotFound("There is no such page.")  # past any page, without converting a huge integer
    if not digits or int(value) < 1:
        raise ValidationError({name: ["Give a page number: a whole number from 1."]})
    return int(value)


def _page_size(request) -> int:
    value = request.query_params.get("page_size")
    if value is None or value == "":
        return PAGE_SIZE
    if not (value.isascii() and value.isdigit() and len(value) <= 3 and 1 <= int(value) <= MAX_PAGE_SIZE):
        raise ValidationError({"page_size": [f"Give a page size: a whole number from 1 to {MAX_PAGE_SIZE}."]})
    return int(value)


def checked(page: Page, number: int) -> Page:
    """``page``, which a selector chose with ``Paginator.get_page`` (past the last page it gives the
    last one): a 404 unless it is the page asked for."""
    if page.number != number:
        raise NotFound("There is no such page.")
    return page


def envelope(request, page: Page, results: list, *, name: str = "page", **extra) -> dict:
    """A page of ``results`` with its place in the whole: count, page, pages and the links to the
    previous and next pages (the other parameters kept)."""
    url = request.build_absolute_uri()

    def link(number: int) -> str:
        return replace_query_param(url, name, number) if number > 1 else remove_query_param(url, name)

    return {
        **extra,
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "results": results,
    }
