"""Formatting for money, shares and choice badges on the staff pages.

The money and percentage filters are ``projects.money``'s formatters, which the admin and the
services use too.
"""

from django import template
from django.utils.html import format_html

from projects.money import amount_text, percent_text, pkr_text, usd_text

register = template.Library()

#: usd: US$ 2.00bn / US$ 350.0m; pkr: Rs 1.92tn / Rs 576.0bn / Rs 24,957m; pct: 85%; amount: a stated
#: amount in its own currency, in full. Each shows "–" for a missing value.
register.filter("usd", usd_text)
register.filter("pkr", pkr_text)
register.filter("pct", percent_text)
register.filter("amount", amount_text)


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
