"""Password guessing on the admin login is stopped (django-axes): five wrong passwords lock that
username from that address for 15 minutes, without locking anyone else out."""

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

LOGIN = "/admin/login/?next=/admin/"
LIMIT = 5


def log_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def logged_in(response):
    return response.status_code == 302 and response["Location"] == "/admin/"


def guess(client, username, times, **extra):
    return [log_in(client, username, f"wrong guess {n}", **extra) for n in range(times)]


@pytest.fixture
def other_editor(django_user_model):
    user = django_user_model.objects.create_user("other", password="another long passphrase", is_staff=True)
    user.raw_password = "another long passphrase"
    return user


@pytest.mark.django_db
def test_wrong_passwords_below_the_limit_do_not_lock(client, editor):
    responses = guess(client, editor.username, LIMIT - 1)
    assert all(r.status_code == 200 and b"Please enter the correct username" in r.content for r in responses)
    assert logged_in(log_in(client, editor.username, editor.raw_password))


@pytest.mark.django_db
def test_the_limit_locks_the_username_even_with_the_right_password(client, editor):
    *_, last = guess(client, editor.username, LIMIT)
    assert last.status_code == 429

    response = log_in(client, editor.username, editor.raw_password)
    assert response.status_code == 429
    assert not logged_in(response)
    assert client.get("/admin/").status_code == 302  # still sent to the login page


@pytest.mark.django_db
def test_the_lockout_page_says_what_happened_and_when_to_retry(client, editor):
    guess(client, editor.username, LIMIT)
    response = log_in(client, editor.username, editor.raw_password)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many login attempts" in page
    assert "editor" in page
    assert "try again in 15 minutes" in page
    assert "Content-Security-Policy" in response.headers


@pytest.mark.django_db
def test_a_lockout_does_not_lock_out_other_addresses(client, editor):
    guess(client, editor.username, LIMIT)
    assert log_in(client, editor.username, editor.raw_password).status_code == 429

    elsewhere = Client(REMOTE_ADDR="192.0.2.44")
    assert logged_in(log_in(elsewhere, editor.username, editor.raw_password))


@pytest.mark.django_db
def test_a_lockout_does_not_lock_out_other_usernames_from_the_same_address(client, editor, other_editor):
    guess(client, editor.username, LIMIT)
    assert log_in(client, editor.username, editor.raw_password).status_code == 429

    assert logged_in(log_in(Client(), other_editor.username, other_editor.raw_password))


@pytest.mark.django_db
def test_axes_reset_unlocks(client, editor):
    guess(client, editor.username, LIMIT)
    assert log_in(client, editor.username, editor.raw_password).status_code == 429

    call_command("axes_reset", verbosity=0)
    assert logged_in(log_in(client, editor.username, editor.raw_password))


@pytest.mark.django_db
@override_settings(NUM_PROXIES=1)
def test_behind_a_proxy_the_forwarded_client_address_is_what_gets_locked(client, editor):
    # Every request comes from the proxy (REMOTE_ADDR 127.0.0.1); the proxy appends the
    # address it saw to X-Forwarded-For.
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    guess(client, editor.username, LIMIT, **attacker)
    assert log_in(client, editor.username, editor.raw_password, **attacker).status_code == 429

    # Whatever the attacker writes to the left of the proxy's entry, the lock holds ...
    forged = {"HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.5"}
    assert log_in(client, editor.username, editor.raw_password, **forged).status_code == 429
    # ... while the editor, at another address behind the same proxy, logs in.
    editor_at_home = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert logged_in(log_in(Client(), editor.username, editor.raw_password, **editor_at_home))


@pytest.mark.django_db
def test_locking_never_errors_on_odd_login_posts(client, editor):
    odd = [{}, {"username": ""}, {"password": "x"}, {"username": "nobody\x00", "password": "x"},
           {"username": "é" * 300, "password": "y"}, {"username": ["a", "b"], "password": "z"}]
    for data in odd:
        for _ in range(LIMIT + 1):
            assert client.post(LOGIN, data).status_code in (200, 429), data


@pytest.mark.django_db
@override_settings(NUM_PROXIES=1)
def test_a_forwarded_address_that_is_not_an_address_is_not_an_error(client, editor):
    for forwarded in ["not-an-address", "", ",", "999.1.1.1", "1.2.3.4, <script>"]:
        response = log_in(client, editor.username, "wrong", HTTP_X_FORWARDED_FOR=forwarded)
        assert response.status_code in (200, 429), forwarded  # locked at the fifth: one address
