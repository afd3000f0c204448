"""Forms of the pages that are neither the portfolio filter (``filters``) nor the as-of selector (``asof``)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from financing.loans import Assumptions, Disbursement
from financing.models import RepaymentProfile


class DebtAssumptionsForm(forms.Form):
    """The debt-service page's assumptions: how loans are drawn, what to assume where terms are silent,
    and the rate rupees are shown at. Left empty, only what the terms state is used."""

    disbursement = forms.ChoiceField(label=_("Loans drawn"), choices=Disbursement.choices, required=False)
    profile = forms.ChoiceField(
        label=_("Repayment, where not stated"),
        choices=[("", _("Not assumed"))] + [(c.value, c.label) for c in RepaymentProfile],
        required=False,
    )
    benchmark_percent = forms.DecimalField(
        # xgettext:no-python-format
        label=_("Benchmark level (% a year), where not stated"),
        required=False,
        max_digits=6,
        decimal_places=3,
        min_value=Decimal("0"),
        max_value=Decimal("30"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    pkr_per_usd = forms.DecimalField(
        label=_("Rupees per US$"),
        required=False,
        max_digits=12,
        decimal_places=4,
        min_value=Decimal("0.0001"),
        max_value=Decimal("100000"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )

    def _valid(self) -> dict:
        return self.cleaned_data if self.is_bound and self.is_valid() else {}

    def assumptions(self) -> Assumptions:
        """The chosen assumptions; none (the defaults) when the form is unbound or invalid."""
        data = self._valid()
        return Assumptions(
            disbursement=data.get("disbursement") or Disbursement.AT_START,
            profile=data.get("profile") or "",
            benchmark_percent=data.get("benchmark_percent"),
        )

    def chosen_rate(self) -> Decimal | None:
        """The rate chosen, or None for the latest reference rate."""
        return self._valid().get("pkr_per_usd")


class MapOptionsForm(forms.Form):
    """How the map draws the projects: markers coloured by sector or status, and provinces shaded by the
    cost or the funding gap of the projects in them, or not at all."""

    colour = forms.ChoiceField(
        label=_("Colour the projects by"),
        choices=[("sector", _("Sector")), ("status", _("Status"))],
        required=False,
    )
    shade = forms.ChoiceField(
        label=_("Shade the provinces by"),
        choices=[
            ("", _("Nothing")),
            ("cost", _("Cost of their projects")),
            ("gap", _("Funding gap of their projects")),
        ],
        required=False,
    )

    def options(self) -> dict:
        """The chosen options; the defaults (sector, no shading) when unbound or invalid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"colour": data.get("colour") or "sector", "shade": data.get("shade") or ""}
