"""Take the README's screenshots from a running CPEC Tracker (Debian's Chromium, headless).

    .venv/bin/python scripts/screenshots.py --base-url http://127.0.0.1:8000 \
        --username viewer --password "$DEMO_VIEWER_PASSWORD"

Writes docs/dashboard.png, docs/ml-1.png and docs/map.png in English, and docs/dashboard-ur.png in
Urdu (the language cookie the header's switch sets).
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: file name: (path, language, whole page or the first screen only)
PAGES = {
    "dashboard.png": ("/", "en", True),
    "ml-1.png": ("/projects/ml-1/", "en", True),
    "map.png": ("/map/?shade=cost", "en", False),  # the map; its tables run on for pages
    "dashboard-ur.png": ("/", "ur", True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="viewer")
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "docs"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{args.base_url}/accounts/login/")
        page.fill("#id_username", args.username)
        page.fill("#id_password", args.password)
        page.click("form:has(#id_password) [type=submit]")  # not the header's language switch
        page.wait_for_load_state("networkidle")
        if "/accounts/login/" in page.url:
            raise SystemExit("Login failed: check the username and password.")
        for name, (path, language, full_page) in PAGES.items():
            page.context.add_cookies([{"name": "django_language", "value": language, "url": args.base_url}])
            page.goto(args.base_url + path)
            page.wait_for_load_state("networkidle")
            page.wait_for_selector("[data-chart]:not([data-drawn])", state="detached")  # no eval: CSP
            page.screenshot(path=str(out / name), full_page=full_page)
            print(f"wrote {out / name}")
        browser.close()


if __name__ == "__main__":
    main()
