"""The "as of" selector: view pages as they stood at a JCC meeting or on a date.

``?as_of_jcc=11`` shows the state on the day of the 11th JCC (its decisions included);
``?as_of=2022-10-27`` on that date. The meeting wins when both are given. Invalid
values are form errors (status 400), like the filters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms

from projects.models import JCCMeeting


class AsOfForm(forms.Form):
    as_of_jcc = forms.ModelChoiceField(
        label="As of the JCC meeting",
        queryset=JCCMeeting.objects.order_by("-number"),
        to_field_name="number",
        required=False,
        empty_label="Now (latest data)",
    )
    as_of = forms.DateField(
        label="or as of the date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The state known at the end of that day.",
    )

    def clean_as_of(self):
        value = self.cleaned_data.get("as_of")
        if value is not None and value.year < 1990:
            raise forms.ValidationError("Choose a date from 1990 on.")
        return value


@dataclass(frozen=True)
class AsOf:
    date: dt.date | None = None
    meeting: JCCMeeting | None = None

    @property
    def label(self) -> str:
        if self.meeting is not None:
            return f"the {self.meeting.ordinal} JCC ({self.meeting.date_display})"
        if self.date is not None:
            return f"{self.date:%d %b %Y}".lstrip("0")
        return ""


def as_of_from(request) -> tuple[AsOfForm, AsOf, bool]:
    """The bound form, the resolved moment, and whether the input was valid."""
    form = AsOfForm(request.GET or None)
    if not form.is_bound:
        return form, AsOf(), True
    if not form.is_valid():
        return form, AsOf(), False
    meeting = form.cleaned_data.get("as_of_jcc")
    if meeting is not None:
        return form, AsOf(date=meeting.date, meeting=meeting), True
    return form, AsOf(date=form.cleaned_data.get("as_of")), True
