"""The dashboard tests' small portfolio (two meetings, four projects, three lenders), worked by hand there."""

from tests.dashboard.conftest import portfolio  # noqa: F401
