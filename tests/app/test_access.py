"""Who may come in (app/access.py through app/main.py): localhost opens at once; shared, no
page runs before the access secret (or the identity provider's login), and "Sign out" ends it."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import access
from ssl_core.store import Workspace

ROOT = Path(__file__).resolve().parents[2]
MAIN = str(ROOT / "app" / "main.py")
SECRET = "correct horse battery staple"


@pytest.fixture
def app(tmp_path, monkeypatch):
    """`app(share=...)`: an AppTest of the entry script over an empty, already seeded workspace
    (no demo import), with `-- --share` among the script's arguments when asked."""
    ws = Workspace(tmp_path / "ws")
    ws.set_meta("demo_seeded", "1")
    monkeypatch.setenv("SSL_WORKSPACE", str(ws.root))

    def make(share: bool) -> AppTest:
        monkeypatch.setattr(sys, "argv", ["app/main.py", "--share"] if share else ["app/main.py"])
        return AppTest.from_file(MAIN, default_timeout=120)

    return make


def page_titles(at: AppTest) -> list[str]:
    return [title.value for title in at.title]


def secret_box(at: AppTest):
    return next((box for box in at.text_input if box.label == "Access secret"), None)


def sign_in(at: AppTest, given: str) -> AppTest:
    secret_box(at).input(given)
    return at.button[0].click().run()  # the form's only button: "Sign in"


def test_localhost_opens_with_no_secret(app):
    at = app(share=False).run()
    assert not at.exception
    assert secret_box(at) is None and page_titles(at) == ["Data"]
    assert not [b for b in at.sidebar.button if b.label == "Sign out"]


def test_shared_app_runs_no_page_before_the_secret(app, monkeypatch):
    monkeypatch.setenv(access.SECRET_ENV, SECRET)
    at = app(share=True).run()
    assert not at.exception
    assert secret_box(at) is not None and page_titles(at) == ["SSL Lens"]  # the gate, not the Data page
    assert not at.sidebar.caption  # nothing of the app drawn, not even the workspace path

    at = sign_in(at, "correct horse battery stapler")
    assert page_titles(at) == ["SSL Lens"] and [e.value for e in at.error] == ["That is not the access secret."]

    at = sign_in(at, SECRET)
    assert not at.exception and secret_box(at) is None and page_titles(at) == ["Data"]
    at.switch_page("../pages/concepts.py").run()  # signed in for the whole session
    assert page_titles(at) == ["Concepts"]

    [sign_out] = [b for b in at.sidebar.button if b.label == "Sign out"]
    at = sign_out.click().run()
    assert secret_box(at) is not None and page_titles(at) == ["SSL Lens"]


def test_a_secret_made_for_the_operator_is_printed_once_and_signs_in_by_link(app, monkeypatch, capfd):
    monkeypatch.delenv(access.SECRET_ENV, raising=False)
    monkeypatch.setattr(access, "_made", None)  # a new server process
    at = app(share=True).run()
    printed = capfd.readouterr().err
    [secret] = re.findall(r"access secret (\S+)", printed)
    assert len(secret) >= 32 and f"?token={secret}" in printed

    again = app(share=True)
    again.query_params["token"] = "not it"
    again.run()
    assert secret_box(again) is not None and again.error[0].value == "That is not the access secret."
    at.query_params["token"] = secret
    at.run()
    assert page_titles(at) == ["Data"] and "token" not in at.query_params
    assert "access secret" not in capfd.readouterr().err  # printed once per server process


def test_identity_provider_is_used_instead_of_the_secret(app, monkeypatch):
    monkeypatch.setenv(access.SECRET_ENV, SECRET)
    at = app(share=False)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "c" * 32,
                          "client_id": "ssl-lens", "client_secret": "s",
                          "server_metadata_url": "https://id.example/.well-known/openid-configuration"}
    at.run()
    assert not at.exception
    assert secret_box(at) is None and page_titles(at) == ["SSL Lens"]
    assert [b.label for b in at.button] == ["Log in"]


@pytest.mark.parametrize("address, shared", [("localhost", False), ("127.0.0.1", False), ("::1", False),
                                             ("0.0.0.0", True), ("", True), ("192.0.2.2", True),
                                             ("lens.example.org", True)])
def test_only_loopback_addresses_count_as_not_shared(address, shared):
    assert access.is_loopback(address) is not shared


def test_secret_comparison():
    assert access.secret_matches(SECRET, SECRET)
    assert not access.secret_matches(SECRET[:-1], SECRET) and not access.secret_matches("", SECRET)


def test_project_config_serves_localhost_without_tracebacks_and_keeps_xsrf_and_cors():
    config = tomllib.loads((ROOT / "app" / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "localhost"
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"].get("enableXsrfProtection", True) and config["server"].get("enableCORS", True)


def gated_panel_script() -> None:
    """A page script with one fragment made by access.fragment."""
    import streamlit as st

    from app import access

    @access.fragment
    def panel() -> None:
        st.write("the panel's contents")

    panel()


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_fragment_draws_only_for_a_session_that_may_come_in(monkeypatch, signed_in):
    """A fragment reruns without main.py: after "Sign out" a review's fragment reruns still
    answered (Retrieval's near-duplicate pairs, with thumbnails). access.fragment checks first."""
    monkeypatch.setattr(sys, "argv", ["app/main.py", "--share"])
    at = AppTest.from_function(gated_panel_script, default_timeout=60)
    if signed_in:
        at.session_state[access.SIGNED_IN] = True
    at.run()
    assert not at.exception
    assert [m.value for m in at.markdown] == (["the panel's contents"] if signed_in else [])


def test_the_sign_in_says_the_workspace_is_shared_and_a_short_secret_is_named_in_the_log(app, monkeypatch, capfd):
    monkeypatch.setenv(access.SECRET_ENV, "hunter2")
    at = app(share=True).run()
    assert any("Everyone who signs in works in one workspace" in c.value for c in at.caption)
    assert "the access secret is 7 characters long" in capfd.readouterr().err


def test_guesses_are_compared_in_turn_so_parallel_sessions_guess_no_faster(app, monkeypatch):
    """The lock held only a wrong guess's wait: a guess in another session was compared (and
    a right one let in) at once, so N sessions guessed N times a second."""
    import threading

    monkeypatch.setenv(access.SECRET_ENV, SECRET)
    at = app(share=True)
    at.query_params["token"] = SECRET
    access._wrong_guess_lock.acquire()  # another session's wrong guess holds the turn
    try:
        guessing = threading.Thread(target=at.run)
        guessing.start()
        guessing.join(timeout=3)
        assert guessing.is_alive(), "compared while another guess held the turn"
    finally:
        access._wrong_guess_lock.release()
    guessing.join(timeout=60)
    assert page_titles(at) == ["Data"]


def test_a_browser_stays_signed_in_by_a_cookie_only_the_secret_makes_until_it_expires_or_signs_out():
    """The cookie set after signing in keeps a reload signed in (a room's visitors were sent back
    to the sign-in form by every reload): its value is the expiry signed with the secret."""
    now = 1_800_000_000
    value = access.remember_value(SECRET, now + access.REMEMBER_S)
    assert SECRET not in value and access.remembered(value, SECRET, now=now)
    assert not access.remembered(value, "another secret", now=now)  # a new secret signs every browser out
    assert not access.remembered(value, SECRET, now=now + access.REMEMBER_S)  # expired
    later = access.remember_value(SECRET, now + 2 * access.REMEMBER_S)
    assert not access.remembered(later, SECRET, now=now)  # further ahead than a browser is ever kept
    expires, nonce, mac = value.split(".")  # each forgery below differs from the value (the nonce is random)
    for forged in (f"{int(expires) + 1}.{nonce}.{mac}", f"{expires}.{nonce}0.{mac}", f"{expires}.{nonce}.{mac[:-1]}{'1' if mac[-1] == '0' else '0'}",
                   f"{expires}.{nonce}.", f"{expires}.{mac}", "", None, "x.y.z", "..."):
        assert not access.remembered(forged, SECRET, now=now), forged
    other = access.remember_value(SECRET, now + access.REMEMBER_S)  # another sign-in in the same second
    assert other != value and access.remembered(other, SECRET, now=now)


def test_signing_out_refuses_that_cookie_from_then_on():
    value = access.remember_value(SECRET, int(__import__("time").time()) + 60)
    assert access.remembered(value, SECRET)
    access._refuse_from_now_on(value)
    try:
        assert not access.remembered(value, SECRET)
    finally:
        access._signed_out.pop(value, None)


def test_signing_in_hands_the_browser_its_cookie_once_and_signing_out_deletes_it(app, monkeypatch):
    monkeypatch.setenv(access.SECRET_ENV, SECRET)
    at = sign_in(app(share=True).run(), SECRET)
    scripts = [block.proto.body for block in at.sidebar.get("html")]
    assert len(scripts) == 1 and f"{access.REMEMBER_COOKIE}={at.session_state[access.REMEMBERED]}" in scripts[0]
    assert access.remembered(at.session_state[access.REMEMBERED], SECRET)
    at.switch_page("../pages/concepts.py").run()
    assert not at.sidebar.get("html")  # handed over once

    remembered = at.session_state[access.REMEMBERED]
    [sign_out] = [b for b in at.sidebar.button if b.label == "Sign out"]
    at = sign_out.click().run()
    [forget, hide] = [block.proto.body for block in at.get("html")]
    assert hide == access.HIDE_SIDEBAR
    assert "Max-Age=0" in forget and forget.endswith("location.reload();</script>")  # then a page without links
    assert not access.remembered(remembered, SECRET)  # a copy of the cookie no longer signs in
    access._signed_out.pop(remembered, None)


def test_a_session_whose_browser_signed_out_in_another_tab_meets_the_sign_in(app, monkeypatch):
    """A walk's second tab kept searching after the first tab's "Sign out": a session signed in
    by the browser's cookie is now let in only while that cookie's value is not refused."""
    monkeypatch.setenv(access.SECRET_ENV, SECRET)
    at = sign_in(app(share=True).run(), SECRET)
    assert page_titles(at) == ["Data"]
    access._refuse_from_now_on(at.session_state[access.REMEMBERED])  # the other tab's "Sign out"
    try:
        at.run()
        assert secret_box(at) is not None and page_titles(at) == ["SSL Lens"]
    finally:
        access._signed_out.clear()
