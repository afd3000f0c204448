"""English dates and numbers as written in Britain (and Pakistan's ministries): "5 Dec 2026",
day-first date input. The site's language is "en" rather than "en-gb" because Django then loads one
English catalogue per app, not a British one falling back to the English one: with "en-gb", every
string looked up walked a chain of eight catalogues (docs/benchmarks.md)."""

from django.conf.locale.en_GB.formats import *  # noqa: F403
