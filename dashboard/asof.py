"""The "as of" selector: view pages as they stood at a JCC meeting or on a date.

``?as_of_jcc=11`` shows the state on the day of the 11th JCC (its decisions included);
``?as_of=2022-10-27`` on that date. The meeting wins when both are given. Invalid
values are form errors (status 400), like the filters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.choices import MeetingStatus
from projects.models import JCCMeeting


class AsOfForm(forms.Form):
    as_of_jcc = forms.ModelChoiceField(
        label=gettext_lazy("As of the JCC meeting"),
        queryset=JCCMeeting.objects.order_by("-number"),
        to_field_name="number",
        required=False,
        empty_label=gettext_lazy("Now (latest data)"),
    )
    as_of = forms.DateField(
        label=gettext_lazy("or as of the date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The state known at the end of that day."),
    )

    def clean_as_of(self):
        value = self.cleaned_data.get("as_of")
        if value is not None and value.year < 1990:
            raise forms.ValidationError(_("Choose a date from 1990 on."))
        return value


@dataclass(frozen=True)
class AsOf:
    """A moment pages are shown as of: a JCC meeting (its date), a date, or now (neither)."""

    date: dt.date | None = None
    meeting: JCCMeeting | None = None

    #: The query parameters that choose a moment; links drop them to return to now.
    PARAMETERS = ("as_of_jcc", "as_of")

    @property
    def query(self) -> str:
        """The query string that chooses this moment ("as_of_jcc=14" or "as_of=2022-10-27"), "" for now."""
        if self.meeting is not None:
            return f"as_of_jcc={self.meeting.number}"
        if self.date is not None:
            return f"as_of={self.date.isoformat()}"
        return ""

    def link(self, url: str) -> str:
        """``url`` showing this moment: its query added ("?as_of_jcc=14" or "&…"); unchanged for now."""
        if not url or not self.query:
            return url
        return f"{url}{'&' if '?' in url else '?'}{self.query}"

    @property
    def label(self) -> str:
        if self.meeting is not None:
            # Translators: a moment pages are shown as of, read in "as of the 14th JCC (27 Oct 2022)".
            return _("the %(ordinal)s JCC (%(date)s)") % {
                "ordinal": self.meeting.ordinal,
                "date": self.meeting.date_display,
            }
        if self.date is not None:
            return date_format(self.date, "j M Y")
        return ""


def as_of_from(request) -> tuple[AsOfForm, AsOf, bool]:
    """The bound form, the resolved moment, and whether the input was valid."""
    return moment_from(request.GET or None)


def moment_from(data, *, prefix: str | None = None, label: str | None = None) -> tuple[AsOfForm, AsOf, bool]:
    """An as-of form (``prefix``-ed and ``label``-led, for pages that take two moments) bound to
    ``data``, the moment it chose (now when it chose none or was invalid), and whether it was valid."""
    form = _labelled(AsOfForm(data, prefix=prefix), label)
    if not form.is_bound:
        return form, AsOf(), True
    if not form.is_valid():
        return form, AsOf(), False
    meeting = form.cleaned_data.get("as_of_jcc")
    if meeting is not None:
        return form, AsOf(date=meeting.date, meeting=meeting), True
    return form, AsOf(date=form.cleaned_data.get("as_of")), True


def compare_moments(request) -> tuple[tuple[AsOfForm, AsOfForm], tuple[AsOf, AsOf], int]:
    """The compare page's two moments: ``from-as_of_jcc`` / ``from-as_of`` and ``to-as_of_jcc`` /
    ``to-as_of``. Without a "to", the page's as-of moment (carried by links) or now; without a
    "from", the last JCC meeting held before "to". Invalid input, or a "from" not before "to",
    is a form error: the page shows the default moments, status 400.
    """
    data = request.GET
    to_data = data if any(k.startswith("to-") for k in data) else None
    to_form, after, to_valid = moment_from(to_data, prefix="to", label="To")
    carried_form, carried, carried_valid = as_of_from(request)
    if to_data is None and carried_valid and carried.date is not None:
        after = carried
        initial = {"as_of_jcc": carried.meeting, "as_of": None if carried.meeting else carried.date}
        to_form = _labelled(AsOfForm(initial=initial, prefix="to"), "To")
    from_data = data if any(k.startswith("from-") for k in data) else None
    from_form, before, from_valid = moment_from(from_data, prefix="from", label="From")
    valid = to_valid and from_valid and carried_valid
    if from_data is None or (from_valid and before.date is None):
        before = last_meeting_before(after.date)
        from_form = _labelled(AsOfForm(initial={"as_of_jcc": before.meeting}, prefix="from"), "From")
    if valid and before.date is not None and before.date >= (after.date or timezone.localdate()):
        from_form.add_error(None, _("Choose a first moment before the second."))  # bound: a default is always earlier
        valid = False
    if not valid:
        after = AsOf()
        before = last_meeting_before(None)
    return (from_form, to_form), (before, after), 200 if valid else 400


def last_meeting_before(date: dt.date | None) -> AsOf:
    """The moment of the last JCC meeting held before ``date`` (the latest held, without it), or the start."""
    meetings = JCCMeeting.objects.filter(status=MeetingStatus.HELD)
    if date is not None:
        meetings = meetings.filter(date__lt=date)
    meeting = meetings.order_by("-date", "-number").first()
    return AsOf(date=meeting.date, meeting=meeting) if meeting else AsOf()


def _labelled(form: AsOfForm, word: str | None) -> AsOfForm:
    """The form with its fields named for one end of a comparison ("From the JCC meeting")."""
    if word:
        if word == "From":
            label = _("From the JCC meeting")
        elif word == "To":
            label = _("To the JCC meeting")
        else:  # no other end is named
            label = f"{word} the JCC meeting"
        form.fields["as_of_jcc"].label = label
        form.fields["as_of"].label = _("or the date")
        form.fields["as_of"].help_text = ""
    return form
