"""Formatting for money, shares and choice badges on the staff pages.

The money and percentage filters are ``projects.money``'s formatters, which the admin and the
services use too.
"""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from dashboard.cache import cache_key, cached
from projects import money
from projects.money import amount_text, percent_text, pkr_text, usd_text

register = template.Library()

#: usd: US$ 2.00bn / US$ 350.0m; pkr: Rs 1.92tn / Rs 576.0bn / Rs 24,957m; pct: 85%; amount: a stated
#: amount in its own currency, in full. Each shows "–" for a missing value.
register.filter("usd", usd_text)
register.filter("pkr", pkr_text)
register.filter("pct", percent_text)
register.filter("amount", amount_text)


@register.simple_tag
def own_language_names() -> list[tuple[str, str]]:
    """The site's languages, each named in itself ("English", "اردو"): settings.LANGUAGES as written,
    where Django's get_available_languages would name them in the current language."""
    return list(settings.LANGUAGES)


@register.simple_tag
def number_style() -> str:
    """How this request writes figures: "short" (billions) or "lakh" (lakh / crore)."""
    return money.current_style()


@register.filter
def signed_usd(value):
    """A change in US$ with its sign: "+US$ 1.20bn", "−US$ 300.0m", "no change"; "–" when unknown."""
    if value is None:
        return "–"
    if not value:
        return _("no change")
    return ("+" if value > 0 else "−") + usd_text(abs(value))


@register.filter
def signed_count(value):
    """A change in a count with its sign: "+3", "−1", "no change"."""
    if value is None:
        return "–"
    return _("no change") if not value else f"{value:+d}".replace("-", "−")


@register.filter
def signed_points(value):
    """A change in a percentage, in percentage points: "+2.5 points", "−0.1 points"."""
    if not value:
        return _("no change")
    # Translators: a change in a percentage, in percentage points, after its sign: "+2.5 points".
    return ("+" if value > 0 else "−") + _("%(points)s points") % {"points": f"{abs(value):.1f}"}


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


# The as-of moment travels with every link: a page shown "as of the 14th JCC" links to pages
# shown as of it too, until the reader chooses "now" (dashboard.asof.AsOf.query).


@register.simple_tag(takes_context=True)
def moment_url(context, name, *args):
    """``{% url name *args %}`` with the page's as-of moment kept in the query string."""
    return with_moment(reverse(name, args=args), context.get("moment"))


@register.filter
def with_moment(url, moment):
    """``url`` with the as-of moment's query added (or nothing, for now)."""
    return moment.link(url) if moment is not None else url


@register.simple_tag(takes_context=True)
def now_url(context):
    """This page as of now: the current query without the as-of choice (and the page number)."""
    request = context["request"]
    query = request.GET.copy()
    for name in ("as_of_jcc", "as_of", "page", "changes_page"):
        query.pop(name, None)
    return request.path + (f"?{query.urlencode()}" if query else "")


# Fragments cached with the page's figures -------------------------------------------------


class CachedFragmentNode(template.Node):
    def __init__(self, name: str, nodelist: template.NodeList):
        self.name, self.nodelist = name, nodelist

    def render(self, context) -> str:
        request = context.get("request")
        key = None
        if request is not None:
            key = cache_key(request, f"fragment-{self.name}", extra=timezone.localdate().isoformat())
        return cached(key, lambda: self.nodelist.render(context))


@register.tag
def cached_fragment(parser, token):
    """``{% cached_fragment "name" %}…{% endcached_fragment %}``: the enclosed HTML, rendered once per
    page (path), query string, day and data version, like the page's figures (``dashboard.cache``).

    Only for HTML that depends on nothing else: not the user, not a CSRF token. The portfolio
    filter form is: its ~400 widget templates (every lender, sector, status… a checkbox) took
    20-30 ms of each dashboard and project list request.
    """
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError('Usage: {% cached_fragment "name" %}…{% endcached_fragment %}')
    nodelist = parser.parse(("endcached_fragment",))
    parser.delete_first_token()
    return CachedFragmentNode(bits[1][1:-1], nodelist)
