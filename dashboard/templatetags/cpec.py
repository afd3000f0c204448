"""Formatting for money, shares and choice badges on the staff pages."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

register = template.Library()

BILLION = Decimal("1000000000")
MILLION = Decimal("1000000")
TRILLION = Decimal("1000000000000")


@register.filter
def usd(value):
    """US$ 2.00bn / US$ 350.0m / –."""
    if value in (None, ""):
        return "–"
    value = Decimal(value)
    if abs(value) >= BILLION:
        return f"US$ {value / BILLION:,.2f}bn"
    return f"US$ {value / MILLION:,.1f}m"


@register.filter
def pkr(value):
    """Rs 1.92tn / Rs 576.0bn / Rs 24,957m / –."""
    if value in (None, ""):
        return "–"
    value = Decimal(value)
    if abs(value) >= TRILLION:
        return f"Rs {value / TRILLION:,.2f}tn"
    if abs(value) >= BILLION:
        return f"Rs {value / BILLION:,.1f}bn"
    return f"Rs {value / MILLION:,.0f}m"


@register.filter
def pct(value, places=0):
    if value in (None, ""):
        return "–"
    return f"{Decimal(value):,.{int(places)}f}%"


@register.filter
def amount(value, currency=""):
    """A stated amount in its own currency, in full."""
    if value in (None, ""):
        return "–"
    return f"{currency} {Decimal(value):,.0f}".strip()


@register.simple_tag
def badge(kind, value, label):
    """A coloured badge; the colour comes from the choices' colour map via a CSS class."""
    return format_html('<span class="badge badge-{}-{}">{}</span>', kind, value, label)


@register.filter
def status_label(value):
    """The label of a project status value (for statuses read as of a date)."""
    from projects.choices import ProjectStatus

    try:
        return ProjectStatus(value).label
    except ValueError:
        return value


@register.simple_tag(takes_context=True)
def page_query(context, param, number):
    """The current query string with ``param`` set to a page number (other parameters kept)."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()


@register.filter
def get_item(mapping, key):
    """``mapping[key]``, or None: for dicts keyed by id in the context."""
    return mapping.get(key) if mapping else None
