"""factory_boy factories for the domain, with Decimal amounts and dates after 2013."""

import datetime as dt
from decimal import Decimal

import factory

from financing.choices import FinancingStatus, Instrument, LenderKind
from financing.models import FinancingLine, Lender
from projects.choices import Currency, DecisionKind, EstimateBasis, ExchangeRateKind, ProjectStatus, Region, Sector
from projects.models import CostEstimate, Decision, ExchangeRate, JCCMeeting, Phase, Project, Source


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    key = factory.Sequence(lambda n: f"T{n}")
    title = factory.Sequence(lambda n: f"Report number {n}")
    publisher = "Test Gazette"
    url = factory.Sequence(lambda n: f"https://example.org/report/{n}")
    published_on = dt.date(2024, 1, 1)


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate
        django_get_or_create = ["currency", "date"]

    currency = Currency.PKR
    date = dt.date(2020, 1, 1)
    per_usd = Decimal("160.0000")
    kind = ExchangeRateKind.ANNUAL_AVERAGE
    source = factory.SubFactory(SourceFactory)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Test project {n}")
    slug = factory.Sequence(lambda n: f"test-project-{n}")
    sector = Sector.TRANSPORT
    status = ProjectStatus.APPROVED
    regions = factory.LazyFunction(lambda: [Region.PUNJAB])


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    project = factory.SubFactory(ProjectFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Phase {n}")


class NormalizedMoneyFactory(factory.django.DjangoModelFactory):
    """Normalizes the amount before saving, as a form or service does (``save()`` only writes)."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        obj.normalize()
        obj.save()
        return obj


class CostEstimateFactory(NormalizedMoneyFactory):
    """A USD estimate with its own PKR rate, so no reference rate is needed."""

    class Meta:
        model = CostEstimate

    project = factory.SubFactory(ProjectFactory)
    amount = Decimal("1000000000.00")
    currency = Currency.USD
    as_of = dt.date(2024, 6, 1)
    basis = EstimateBasis.PC_I
    source = factory.SubFactory(SourceFactory)
    entered_pkr_per_usd = Decimal("280.0000")


class JCCMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JCCMeeting

    number = factory.Sequence(lambda n: n + 100)
    date = dt.date(2025, 9, 26)
    city = "Beijing"


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(JCCMeetingFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    project = factory.SubFactory(ProjectFactory)
    kind = DecisionKind.APPROVED
    text = "Agreed to proceed."
    source = factory.SubFactory(SourceFactory)


class LenderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lender

    name = factory.Sequence(lambda n: f"Test Bank {n}")
    short_name = factory.Sequence(lambda n: f"TB{n}")
    slug = factory.Sequence(lambda n: f"test-bank-{n}")
    kind = LenderKind.MULTILATERAL
    country = "International"


class FinancingLineFactory(NormalizedMoneyFactory):
    """A line saved directly (no change history): for read tests. Writes go through services."""

    class Meta:
        model = FinancingLine

    project = factory.SubFactory(ProjectFactory)
    lender = factory.SubFactory(LenderFactory)
    instrument = Instrument.CONCESSIONAL_LOAN
    share_percent = Decimal("50.00")
    status = FinancingStatus.AGREED
    as_of = dt.date(2024, 6, 1)


class PsdpFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "budget.PsdpFigure"

    project = factory.SubFactory(ProjectFactory)
    fiscal_year = 2024
    kind = "original"
    amount_pkr = Decimal("1000000000")
    as_of = dt.date(2024, 6, 10)
    source = factory.SubFactory(SourceFactory)
