"""Settings of the read-replica router's tests (tests/cpec_tracker/test_db_router.py): two databases.

The test settings with ``DATABASE_REPLICA_URL`` set, so the settings' own replica block is what
the tests run. The two test databases are not mirrors of each other: a test puts a row in one and
not in the other to see which one a read went to. Their names come from ``DATABASE_URL``'s with
suffixes, apart from the suite's (``test_<name>_router`` and ``test_<name>_router_replica``).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ

environ.Env.read_env(Path(__file__).resolve().parent.parent / ".env", overwrite=False)
_url = urlsplit(os.environ["DATABASE_URL"])
_name = _url.path.lstrip("/")
os.environ["CPEC_TEST_REPLICA_URL"] = urlunsplit(_url._replace(path=f"/{_name}_replica"))

from .settings_test import *  # noqa: E402,F403

DATABASES["default"]["TEST"] = {"NAME": f"test_{_name}_router"}  # noqa: F405
DATABASES["replica"]["TEST"] = {"NAME": f"test_{_name}_router_replica"}  # noqa: F405
