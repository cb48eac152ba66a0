"""Production settings pass `manage.py check --deploy`, and every page carries the security
headers: a Content-Security-Policy without 'unsafe-inline', Referrer-Policy, nosniff, no framing."""

import base64
import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from chromium_setup import CHROMIUM, CHROMIUM_FLAGS, require_chromium

BASE_DIR = Path(__file__).resolve().parent.parent


def production_env(**extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "CSRF_", "NUM_PROXIES", "REDIS_URL", "DEBUG"))
    }
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="example.org",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(extra)
    return env


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR, env=production_env(**env), capture_output=True, text=True, timeout=120,
    )


def production_settings(*names, **env):
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=production_env(**env),
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_pass_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_check_deploy_catches_a_production_setting_turned_off():
    # The check above is not vacuous: switching HSTS off through the environment fails it.
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr


def test_production_settings_from_the_environment():
    values = production_settings(
        "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER",
        "CSRF_TRUSTED_ORIGINS", "SECURE_REDIRECT_EXEMPT",
    )
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 60 * 60
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None  # no proxy declared: the header is not believed
    assert values["CSRF_TRUSTED_ORIGINS"] == []
    assert any(re.match(pattern, "healthz") for pattern in values["SECURE_REDIRECT_EXEMPT"])

    behind_proxy = production_settings(
        "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS", "SECURE_HSTS_PRELOAD",
        NUM_PROXIES="1", SECURE_SSL_REDIRECT="false", SECURE_HSTS_PRELOAD="no",
        CSRF_TRUSTED_ORIGINS="https://statements.example.org, https://www.example.org",
    )
    assert behind_proxy["SECURE_SSL_REDIRECT"] is False
    assert behind_proxy["SECURE_HSTS_PRELOAD"] is False
    assert behind_proxy["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert behind_proxy["CSRF_TRUSTED_ORIGINS"] == ["https://statements.example.org", "https://www.example.org"]


def test_a_malformed_number_in_the_environment_fails_at_start_up():
    result = manage("check", SECURE_HSTS_SECONDS="a year")
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS must be a whole number" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


# Headers on the pages people reach ---------------------------------------------------------------


def csp_directives(response):
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def public_urls(make_briefing, wang, topics):
    briefing = make_briefing(
        spokesperson=wang,
        remarks=[{"question": "On trade?", "answer": "China opposes the tariffs.", "topics": [topics["trade"]]}],
    )
    remark = briefing.remarks.get()
    return [
        "/",
        "/remarks/",
        "/remarks/?q=tariffs&topic=trade",
        remark.get_absolute_url(),
        briefing.get_absolute_url(),
        "/topics/trade/",
        "/api/remarks/",
        "/api/docs/",
        "/admin/login/",
        "/remarks/?date_from=not-a-date",  # the 400 page
        "/no-such-page/",  # the 404 page
    ]


@pytest.mark.django_db
def test_every_page_sends_a_strict_content_security_policy(client, public_urls):
    for url in public_urls:
        response = client.get(url)
        assert response.status_code in (200, 400, 404), url
        directives = csp_directives(response)
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], url
        assert directives["default-src"] == ["'self'"], url
        assert directives["script-src"] == ["'self'"], url
        assert directives["style-src"][0] == "'self'", url
        assert directives["img-src"] == ["'self'", "data:"], url
        assert directives["object-src"] == ["'none'"], url
        assert directives["frame-ancestors"] == ["'none'"], url
        assert directives["form-action"] == ["'self'"], url
        assert directives["base-uri"] == ["'self'"], url


@pytest.mark.django_db
def test_every_page_sends_referrer_nosniff_and_frame_headers(client, public_urls):
    for url in public_urls:
        response = client.get(url)
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["X-Frame-Options"] == "DENY", url


def test_only_the_api_docs_page_allows_an_extra_style(client, db):
    # The Swagger UI page keeps one inline <style>; its hash, and nothing else, is added there.
    assert csp_directives(client.get("/"))["style-src"] == ["'self'"]
    assert len(csp_directives(client.get("/api/docs/"))["style-src"]) == 2


def test_api_docs_inline_code_is_all_allowed_by_its_policy(client, db):
    response = client.get("/api/docs/")
    html = response.content.decode()
    allowed = csp_directives(response)["style-src"]
    styles = re.findall(r"<style[^>]*>(.*?)</style>", html, re.S)
    assert styles, "expected Swagger UI's inline <style>; if it is gone, drop SWAGGER_UI_STYLE"
    for style in styles:
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed
    # Scripts are files only: the start-up script comes from the split view.
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attributes for attributes in scripts)
    start_up = client.get("/api/docs/?script=")
    assert start_up.status_code == 200
    assert start_up["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in start_up.content


# In a browser: the policy breaks nothing on the site, the admin or the API docs ---------------------


class Chromium:
    """Chromium driven from a thread of its own. Playwright's sync API allows one session per
    thread, and tests/browser/ keeps theirs open in the main thread for the whole run; every
    Playwright call here goes through run()."""

    def __init__(self):
        self.thread = ThreadPoolExecutor(max_workers=1)
        self.run(self._start)

    def run(self, function, *args):
        return self.thread.submit(function, *args).result(timeout=120)

    def _start(self):
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)

    def _stop(self):
        self.browser.close()
        self.playwright.stop()

    def close(self):
        self.run(self._stop)
        self.thread.shutdown()


@pytest.fixture(scope="module")
def chromium():
    require_chromium()
    chromium = Chromium()
    yield chromium
    chromium.close()


class AdminPage:
    """A browser page logged in to the admin, collecting Content-Security-Policy violations."""

    def __init__(self, chromium, base_url, username, password):
        self.chromium, self.violations = chromium, []
        chromium.run(self._open, base_url, username, password)

    def _open(self, base_url, username, password):
        self.context = self.chromium.browser.new_context(base_url=base_url)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.page.on("console", self._console)
        self.page.goto("/admin/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url("**/admin/")

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)

    def visit(self, path, ready):
        def visit():
            self.page.goto(path)
            self.page.wait_for_selector(ready)
            self.page.wait_for_load_state("networkidle")

        self.chromium.run(visit)

    def use_change_form_widgets(self):
        def use():
            # The autocomplete widget (select2) and the inline "add another" are admin JavaScript.
            self.page.locator(".select2-selection").first.click()
            self.page.wait_for_selector(".select2-results")
            self.page.locator(".add-row a").first.click()
            self.page.wait_for_load_state("networkidle")

        self.chromium.run(use)

    def close(self):
        self.chromium.run(self.context.close)


@pytest.fixture
def admin_page(chromium, live_server, django_user_model, public_urls):
    django_user_model.objects.create_superuser("root", "root@example.org", "a long admin passphrase")
    page = AdminPage(chromium, live_server.url, "root", "a long admin passphrase")
    yield page
    page.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "path, ready",
    [
        ("/", "main"),
        ("/remarks/?q=tariffs", "main"),
        ("/topics/trade/", "main"),
        ("/api/docs/", ".opblock"),  # Swagger UI has drawn the operations
        ("/admin/", "#content-main"),
        ("/admin/statements/briefing/", "#changelist"),
        ("/admin/statements/briefing/add/", "#briefing_form"),
        ("/admin/statements/remark/", "#changelist"),
        ("/admin/statements/briefing/import/", "#content-main"),
    ],
)
def test_pages_work_under_the_policy_without_violations(admin_page, path, ready):
    admin_page.visit(path, ready)
    assert admin_page.violations == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_change_form_and_its_widgets_work_under_the_policy(admin_page):
    from statements.models import Briefing

    briefing = Briefing.objects.get()
    admin_page.visit(f"/admin/statements/briefing/{briefing.pk}/change/", "#briefing_form")
    admin_page.use_change_form_widgets()
    assert admin_page.violations == []


def load_gunicorn_conf(monkeypatch, **environ):
    import importlib.util

    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", "config/gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_one_switch_decides_which_proxies_gunicorn_believes(monkeypatch):
    monkeypatch.delenv("NUM_PROXIES", raising=False)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    assert load_gunicorn_conf(monkeypatch).forwarded_allow_ips == ""  # no proxy: no forwarded header believed
    assert load_gunicorn_conf(monkeypatch, NUM_PROXIES="1").forwarded_allow_ips == "127.0.0.1,::1"
    conf = load_gunicorn_conf(monkeypatch, NUM_PROXIES="1", FORWARDED_ALLOW_IPS="10.0.0.5")
    assert conf.forwarded_allow_ips == "10.0.0.5"


def test_each_worker_opens_the_search_engine_before_its_first_request(monkeypatch, db, settings, tmp_path):
    from statements.search.engine import search_engine

    settings.SEARCH_ENGINE_DIR = str(tmp_path / "engine")
    assert search_engine().tokens is None  # this test's index, never opened
    load_gunicorn_conf(monkeypatch).post_worker_init(worker=None)
    assert search_engine().tokens is not None  # opened and brought up to the database


def test_make_run_gives_alert_emails_the_address_it_serves():
    """`make run PORT=9123` serves on 9123: the links of the emails it sends say so (issue 29)."""
    # As from a shell: not the make running the suite (its level and flags), nor a SITE_URL set.
    environment = {
        name: value for name, value in os.environ.items() if name not in ("SITE_URL", "MAKELEVEL", "MAKEFLAGS", "MFLAGS")
    }
    serve = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", "PORT=9123"], cwd=Path(__file__).resolve().parents[1],
        env=environment, capture_output=True, text=True, check=True,
    ).stdout.strip().splitlines()[-1]
    assignment, command = serve.split(" ", 1)
    assert assignment.startswith("SITE_URL=") and command.endswith("manage.py runserver 127.0.0.1:9123")
    shown = subprocess.run(
        ["sh", "-c", f"{assignment} sh -c 'echo \"$SITE_URL\"'"], env=environment, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert shown == "http://127.0.0.1:9123"
