"""Where Chromium is and how it is launched, for every test that drives a browser.

Without Chromium those tests are skipped with a message, unless REQUIRE_BROWSER=1 (set by
.ci/run), which turns the missing browser into a failure.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium():
    if os.path.exists(CHROMIUM) or shutil.which(CHROMIUM):
        return
    message = f"Chromium not found at {CHROMIUM}: browser tests skipped (apt-get install chromium)"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(message + "; REQUIRE_BROWSER=1 forbids skipping them")
    pytest.skip(message)
