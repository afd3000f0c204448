"""Choice lists of the financing app, each with a colour for badges and charts."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LenderKind(models.TextChoices):
    CHINESE_GOVERNMENT = "chinese_government", _("Chinese government or policy bank")
    COMMERCIAL_BANK = "commercial_bank", _("Commercial bank")
    MULTILATERAL = "multilateral", _("Multilateral development bank")
    PAKISTAN_BUDGET = "pakistan_budget", _("Pakistan government budget (PSDP)")
    PROVINCIAL = "provincial", _("Provincial government")
    PRIVATE_SPONSOR = "private_sponsor", _("Private sponsor / equity")
    OTHER_GOVERNMENT = "other_government", _("Other government")
    # Translators: a kind of lender (an investment fund), a noun.
    FUND = "fund", _("Fund")


LENDER_KIND_COLOURS = {
    LenderKind.CHINESE_GOVERNMENT: "#D55E00",
    LenderKind.COMMERCIAL_BANK: "#E69F00",
    LenderKind.MULTILATERAL: "#0072B2",
    LenderKind.PAKISTAN_BUDGET: "#009E73",
    LenderKind.PROVINCIAL: "#66C2A5",
    LenderKind.PRIVATE_SPONSOR: "#CC79A7",
    LenderKind.OTHER_GOVERNMENT: "#56B4E9",
    LenderKind.FUND: "#F0E442",
}


class Instrument(models.TextChoices):
    CONCESSIONAL_LOAN = "concessional_loan", _("Concessional loan")
    INTEREST_FREE_LOAN = "interest_free_loan", _("Interest-free loan")
    COMMERCIAL_LOAN = "commercial_loan", _("Commercial loan")
    # Translators: a kind of financing (money that is not repaid), a noun.
    GRANT = "grant", _("Grant")
    EQUITY = "equity", _("Equity")
    BUDGET_ALLOCATION = "budget_allocation", _("Budget allocation")
    UNDECIDED = "undecided", _("Not yet decided")


INSTRUMENT_COLOURS = {
    Instrument.CONCESSIONAL_LOAN: "#0072B2",
    Instrument.INTEREST_FREE_LOAN: "#56B4E9",
    Instrument.COMMERCIAL_LOAN: "#E69F00",
    Instrument.GRANT: "#009E73",
    Instrument.EQUITY: "#CC79A7",
    Instrument.BUDGET_ALLOCATION: "#66C2A5",
    Instrument.UNDECIDED: "#999999",
}


class ShareBasis(models.TextChoices):
    """What a line's share is a share of: a project's cost, or its debt or equity part."""

    # Translators: shown after a percentage, as in "75% of the debt".
    COST = "cost", _("of the total cost")
    DEBT = "debt", _("of the debt")
    EQUITY = "equity", _("of the equity")


class ChangeKind(models.TextChoices):
    """Why a financing line's state changed: the register keeps decisions apart from fixes.

    Only a JCC decision's effects are a meeting's changes; a correction fixes the record
    (with the editor's reason, no decision); a reported change is one a source made public
    outside a JCC meeting (a loan signed, a plant's financial close).
    """

    EFFECT = "effect", _("Effect of a JCC decision")
    REPORTED = "reported", _("Reported by a source")
    CORRECTION = "correction", _("Correction of the record")


class FinancingStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    IN_PLAN = "in_plan", _("In the approved financing plan")
    UNDER_NEGOTIATION = "under_negotiation", _("Under negotiation")
    AGREED = "agreed", _("Agreed")
    SIGNED = "signed", _("Signed")
    DISBURSING = "disbursing", _("Disbursing")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Superseded by another line")

    @classmethod
    def committed(cls):
        """Statuses that count as committed financing."""
        return [cls.AGREED, cls.SIGNED, cls.DISBURSING, cls.COMPLETED]

    @classmethod
    def pipeline(cls):
        """Statuses of money identified but not committed: proposed, planned or being negotiated."""
        return [cls.PROPOSED, cls.IN_PLAN, cls.UNDER_NEGOTIATION]

    @classmethod
    def dead(cls):
        """Statuses whose share no longer counts toward a project's 100%."""
        return [cls.DECLINED, cls.WITHDRAWN, cls.SUPERSEDED]

    @classmethod
    def refused(cls):
        """Statuses of money that will not come: declined by the lender or withdrawn
        (a superseded line's money lives on in the line that replaced it)."""
        return [cls.DECLINED, cls.WITHDRAWN]


FINANCING_STATUS_COLOURS = {
    FinancingStatus.PROPOSED: "#A6CEE3",
    FinancingStatus.IN_PLAN: "#CAB2D6",
    FinancingStatus.UNDER_NEGOTIATION: "#FDBF6F",
    FinancingStatus.AGREED: "#B2DF8A",
    FinancingStatus.SIGNED: "#33A02C",
    FinancingStatus.DISBURSING: "#1F78B4",
    FinancingStatus.COMPLETED: "#6A3D9A",
    FinancingStatus.DECLINED: "#E31A1C",
    FinancingStatus.WITHDRAWN: "#6A6A6A",
    FinancingStatus.SUPERSEDED: "#B15928",
}

#: Colour of the unfunded slice wherever a chart shows the funding gap.
FUNDING_GAP_COLOUR = "#BDBDBD"


class FundingPart(models.TextChoices):
    """The four parts a project's cost falls into (``financing.selectors``)."""

    COMMITTED = "committed", _("Committed (amount known)")
    COMMITTED_UNKNOWN = "committed_unknown", _("Committed (amount not disclosed)")
    PIPELINE = "pipeline", _("Proposed, planned or under negotiation")
    GAP = "gap", _("Not identified (funding gap)")


FUNDING_PART_COLOURS = {
    FundingPart.COMMITTED: "#33A02C",
    FundingPart.COMMITTED_UNKNOWN: "#B2DF8A",
    FundingPart.PIPELINE: "#FDBF6F",
    FundingPart.GAP: FUNDING_GAP_COLOUR,
}
