from __future__ import annotations

import datetime

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client

from tests.conftest import World, make_user
from trellis.accounts.models import ApiToken
from trellis.authz.roles import Role

PASSWORD = "a-long-test-password"


def sign_in(email: str, password: str = PASSWORD) -> tuple[Client, int]:
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": password})
    return client, response.status_code


def test_sign_in_and_out_with_the_allauth_form(world: World) -> None:
    client, status = sign_in("leader@riverbend.test")
    assert status == 302
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_message(world: World) -> None:
    response = Client().post(
        "/accounts/login/", {"login": "leader@riverbend.test", "password": "wrong"}
    )
    assert response.status_code == 200
    assert b"not correct" in response.content or b"incorrect" in response.content


def test_repeated_failed_sign_ins_are_throttled(world: World) -> None:
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"login": "leader@riverbend.test", "password": "nope"})
    # Even the right password is refused while the account is throttled.
    response = client.post(
        "/accounts/login/", {"login": "leader@riverbend.test", "password": PASSWORD}
    )
    assert response.status_code in (200, 429)
    assert client.get("/").status_code == 302
    assert b"Too many" in response.content or response.status_code == 429


def test_self_sign_up_is_closed(world: World) -> None:
    response = Client().post(
        "/accounts/signup/",
        {"email": "x@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code in (200, 403)
    assert not world.users["leader"].__class__.objects.filter(email="x@example.org").exists()


def test_password_reset_sends_an_email(world: World) -> None:
    response = Client().post("/accounts/password/reset/", {"email": "leader@riverbend.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "leader@riverbend.test" in mail.outbox[0].to
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_system_administrators_must_set_up_totp(world: World) -> None:
    admin = make_user(
        world.system, "new.admin@riverbend.test", Role.SYSTEM_ADMIN, system=world.system
    )
    Authenticator.objects.filter(user=admin).delete()
    client, _ = sign_in("new.admin@riverbend.test")
    response = client.get("/schools/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    # The set-up pages stay reachable (allauth first asks for the password again).
    setup = client.get("/accounts/2fa/totp/activate/")
    assert setup.status_code == 302
    assert setup["Location"].startswith("/accounts/reauthenticate/")
    assert client.get(setup["Location"]).status_code == 200


def test_administrator_with_totp_gets_in(world: World) -> None:
    assert world.client("admin").get("/schools/").status_code == 200


def test_other_roles_need_no_totp(world: World) -> None:
    assert world.client("leader").get("/schools/").status_code == 200


def test_session_expires_after_inactivity(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client, _ = sign_in("leader@riverbend.test")
        traveller.shift(datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES - 5))
        assert client.get("/").status_code == 200  # activity renews the session
        traveller.shift(datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES - 5))
        assert client.get("/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1))
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_api_token_is_shown_once_and_works_until_revoked(world: World) -> None:
    client = world.client("leader")
    response = client.post("/account/", {"name": "warehouse sync"})
    raw = response.context["new_token"]
    assert raw.startswith("trl_")
    token = ApiToken.objects.get(name="warehouse sync")
    assert token.digest != raw and raw not in token.digest  # stored hashed
    assert raw.encode() not in client.get("/account/").content  # never shown again
    api = Client()
    ok = api.get("/api/v1/me", headers={"authorization": f"Bearer {raw}"})
    assert ok.status_code == 200
    assert ok.json()["email"] == "leader@riverbend.test"
    assert (
        api.get("/api/v1/schools", headers={"authorization": f"Bearer {raw}"}).json()["count"] == 2
    )
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert api.get("/api/v1/me", headers={"authorization": f"Bearer {raw}"}).status_code == 401


def test_token_name_is_required(world: World) -> None:
    response = world.client("leader").post("/account/", {"name": "  "})
    assert response.status_code == 200
    assert not ApiToken.objects.filter(user=world.users["leader"]).exists()


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer ", "Basic abc"])
def test_bad_tokens_are_401(world: World, header: str) -> None:
    assert Client().get("/api/v1/me", headers={"authorization": header}).status_code == 401


def test_api_tokens_need_the_second_factor_their_roles_demand(world: World) -> None:
    from trellis.accounts.services import api_token_create
    from trellis.authz.services import grant_create

    user = world.users["leader"]
    _, raw = api_token_create(actor=user, name="script")
    header = {"authorization": f"Bearer {raw}"}
    assert Client().get("/api/v1/people", headers=header).status_code == 200
    grant_create(actor=None, user=user, role=Role.SYSTEM_ADMIN, system=world.system)
    assert Client().get("/api/v1/people", headers=header).status_code == 401


def _attempt(email: str, password: str, address: str) -> tuple[Client, int]:
    client = Client(REMOTE_ADDR=address)
    response = client.post("/accounts/login/", {"login": email, "password": password})
    return client, response.status_code


def test_item11_failures_on_many_accounts_behind_one_address_do_not_lock_out_the_school(
    world: World,
) -> None:
    # A school signs in from behind one address: colleagues' typos (and unknown e-mails) must
    # not lock everyone else out, as 5 failures per address did.
    for n in range(12):
        _, status = _attempt(f"teacher{n}@riverbend.test", "typo", "10.1.1.1")
        assert status == 200
    client, status = _attempt("leader@riverbend.test", PASSWORD, "10.1.1.1")
    assert status == 302
    assert client.get("/").status_code == 200


def test_item11_failed_sign_ins_are_throttled_per_account_from_any_address(world: World) -> None:
    for n in range(5):
        _attempt("leader@riverbend.test", "wrong", f"10.2.0.{n}")
    # Even the right password, from a fresh address, is refused while the account is throttled.
    client = Client(REMOTE_ADDR="10.2.1.99")
    response = client.post(
        "/accounts/login/", {"login": "leader@riverbend.test", "password": PASSWORD}
    )
    assert response.status_code in (200, 429)
    assert b"Too many" in response.content or response.status_code == 429
    assert client.get("/").status_code == 302
    # Another account is not affected.
    assert _attempt("principal@riverbend.test", PASSWORD, "10.2.1.99")[1] == 302


def test_item11_one_address_is_throttled_at_the_much_higher_threshold(
    world: World, settings
) -> None:  # type: ignore[no-untyped-def]
    limits = dict(
        part.rsplit("/", 1)[::-1]
        for part in settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    )
    per_address = int(limits["ip"].split("/")[0])
    per_account = int(limits["key"].split("/")[0])
    assert per_address >= 10 * per_account
    for n in range(per_address):
        _attempt(f"guess{n}@riverbend.test", "wrong", "10.3.3.3")
    client, _ = _attempt("leader@riverbend.test", PASSWORD, "10.3.3.3")
    assert client.get("/").status_code == 302
    assert _attempt("leader@riverbend.test", PASSWORD, "10.3.3.4")[1] == 302


def _no_sign_up_wording(text: str) -> None:
    lowered = text.lower()
    assert "sign up" not in lowered and "signup" not in lowered and "sign-up" not in lowered


def test_item24_sign_in_page_names_trellis_and_offers_no_sign_up(world: World) -> None:
    body = Client().get("/accounts/login/").content.decode()
    assert "Sign in to Trellis" in body
    assert "system administrator" in body
    _no_sign_up_wording(body)
    closed = Client().get("/accounts/signup/").content.decode()
    assert "system administrator" in closed
    _no_sign_up_wording(closed)


@pytest.mark.django_db
def test_item24_sign_in_page_names_the_district_of_a_single_system_installation() -> None:
    from trellis.orgs.services import system_create

    system_create(actor=None, code="riverbend", name="Riverbend Public Schools")
    body = Client().get("/accounts/login/").content.decode()
    assert "Riverbend Public Schools" in body


def test_item24_password_reset_email_names_trellis_and_the_district(world: World) -> None:
    Client().post("/accounts/password/reset/", {"email": "leader@riverbend.test"})
    (message,) = mail.outbox
    assert message.subject.startswith("[Trellis] ")
    assert "Riverbend Public Schools" in message.body
    assert "Trellis" in message.body
    assert "Hello from" not in message.body and "testserver" not in message.body.split("http")[0]
    assert "/accounts/password/reset/key/" in message.body
    _no_sign_up_wording(f"{message.subject} {message.body}")


def test_item24_unknown_address_email_says_ask_the_administrator(world: World) -> None:
    Client().post("/accounts/password/reset/", {"email": "stranger@example.org"})
    (message,) = mail.outbox
    assert message.subject.startswith("[Trellis] ")
    assert "system administrator" in message.body
    _no_sign_up_wording(f"{message.subject} {message.body}")
