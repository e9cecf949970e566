"""Who may come in: the gate app/main.py passes before it builds any page.

Served on localhost (the README's command; `server.address` in app/.streamlit/config.toml) the
app opens at once. Served to others, every browser session signs in first:
- shared means listening beyond loopback (`--server.address 0.0.0.0`), or `-- --share`
  (a proxy in front of a localhost server), or an identity provider configured;
- with `[auth]` in .streamlit/secrets.toml (an OIDC provider) visitors log in with it,
  through Streamlit's own `st.login`;
- otherwise with the access secret: $SSL_ACCESS_SECRET, else `access_secret` in
  .streamlit/secrets.toml, else one made at the first visit (a script runs only per
  visit) and printed once to the operator's log with a sign-in link (`/?token=...`), as Jupyter does.
A signed-in session is remembered in `st.session_state` (and by app/session_guard.py, which
lets only such sessions upload), and its browser for REMEMBER_S by a cookie (REMEMBER_COOKIE,
set by a script once signed in: Streamlit's scripts cannot set one): the expiry time signed with
the secret (HMAC-SHA256), so a reload, a new tab or a restarted server with the same secret
opens the pages, and a new secret signs every browser out. "Sign out" forgets the session,
deletes the cookie and refuses its value from then on (in this process). Until then
`require()` stops the script, so no page (and no `st.navigation`) runs. The page the visitor
asked for (a link to /evaluate) is remembered and opened once the sign-in succeeds: the
sign-in's rerun alone would land on the default page, as no navigation knew the address.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import hmac
import ipaddress
import os
import secrets
import socket
import sys
import threading
import time
from urllib.parse import urlsplit

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError
from streamlit.runtime.scriptrunner import get_script_run_ctx

from app import session_guard

SECRET_ENV = "SSL_ACCESS_SECRET"
SECRET_KEY = "access_secret"  # its key in .streamlit/secrets.toml
TOKEN_PARAM = "token"  # `/?token=<secret>` signs in, as the printed link does
SIGNED_IN = "access_signed_in"  # session key
WANTED_PAGE = "access_wanted_page"  # session key: the url path of the page asked for before signing in
WRONG_SECRET_DELAY_S = 1.0  # each wrong guess waits this long, one at a time for the whole server
SHORT_SECRET = 16  # an operator's secret shorter than this is named in the log as easy to guess
REMEMBER_COOKIE = "ssl_lens_access"  # the browser's cookie that keeps it signed in: "<expiry>.<nonce>.<HMAC>"
REMEMBER_S = 12 * 3600  # how long a browser stays signed in (a day's teaching)
REMEMBER_PENDING = "access_remember_pending"  # session key: the cookie value still to hand to the browser
REMEMBERED = "access_remembered"  # session key: the cookie value this browser holds (refused after Sign out)
FORGET_PENDING = "access_forget_pending"  # session key: the browser's cookie is still to be deleted
_made: str | None = None  # the secret made for this server process (_made_secret)
_made_lock = threading.Lock()
_wrong_guess_lock = threading.Lock()  # guesses are compared in turn: parallel sessions guess no faster
_signed_out: dict[str, int] = {}  # cookie values refused after "Sign out" -> their expiry (dropped once past)
_signed_out_lock = threading.Lock()
SHARED_WORK = ("Everyone who signs in works in one workspace: the datasets, runs and imports you add, others see and "
               "can delete, as you can theirs.")


def share_flag(argv: list[str]) -> bool:
    """`--share` among the arguments after `streamlit run app/main.py --`."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)  # `--share` itself, no abbreviation
    parser.add_argument("--share", action="store_true")
    return parser.parse_known_args(argv)[0].share


def is_loopback(address: str) -> bool:
    """True for an address only this machine reaches ("localhost", 127.x, ::1); an empty
    address (Streamlit's default) means every interface."""
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip()).is_loopback
    except ValueError:
        return False  # a host name: whoever resolves it can come


def _secrets_entry(key: str):
    """`key` of .streamlit/secrets.toml, or None when there is no such file or key."""
    try:
        return st.secrets.get(key)
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return None


def identity_provider() -> dict | None:
    """The `[auth]` section of secrets.toml (Streamlit's OIDC login), if the operator wrote one."""
    section = _secrets_entry("auth")
    return dict(section) if section else None


def gate() -> str | None:
    """"oidc", "secret", or None (localhost, nobody else can come)."""
    if identity_provider():
        return "oidc"
    if share_flag(sys.argv[1:]) or not is_loopback(str(st.get_option("server.address") or "")):
        return "secret"
    return None


def secret_matches(given: str, secret: str) -> bool:
    """Constant-time comparison (hashes first, so not even the length shows in the timing)."""
    return hmac.compare_digest(hashlib.sha256(given.encode("utf-8")).digest(),
                               hashlib.sha256(secret.encode("utf-8")).digest())


def remember_value(secret: str, expires: int, nonce: str | None = None) -> str:
    """The cookie value that keeps a browser signed in until `expires` (Unix seconds):
    "<expires>.<nonce>.<HMAC-SHA256 of both keyed by the secret, hex>"; it says nothing of the
    secret, and the random nonce (hex) keeps two sign-ins in one second apart, so that one signing
    out refuses only its own."""
    nonce = secrets.token_hex(8) if nonce is None else nonce
    mac = hmac.new(secret.encode("utf-8"), f"ssl-lens-signed-in|{expires}|{nonce}".encode(), hashlib.sha256)
    return f"{expires}.{nonce}.{mac.hexdigest()}"


def remembered(value: str | None, secret: str, now: float | None = None) -> bool:
    """Whether cookie `value` was made by remember_value with this secret, is not past its
    expiry (nor further ahead than REMEMBER_S) and was not signed out."""
    if not isinstance(value, str):  # no cookie (or, under AppTest, no browser to send one)
        return False
    now = time.time() if now is None else now
    expires, _, rest = value.partition(".")
    nonce, _, _ = rest.partition(".")
    if not expires.isdigit() or not now < int(expires) <= now + REMEMBER_S:
        return False
    with _signed_out_lock:
        if value in _signed_out:
            return False
    return hmac.compare_digest(value.encode(), remember_value(secret, int(expires), nonce).encode())


def _refuse_from_now_on(value: str | None) -> None:
    """Cookie `value` signs no browser in again (this process); expired ones are dropped."""
    expires, _, _ = (value or "").partition(".")
    if not expires.isdigit():
        return
    with _signed_out_lock:
        for old in [old for old, until in _signed_out.items() if until <= time.time()]:
            del _signed_out[old]
        _signed_out[value] = int(expires)


def _cookie_script(value: str, max_age: int, then: str = "") -> str:
    """A script that sets (max_age > 0) or deletes (0) the browser's REMEMBER_COOKIE for the app's
    path, then runs `then` (the app's own JavaScript); `value` is digits, "." and hex only
    (remember_value), so it goes into the script as is."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return (f'<script>document.cookie = "{REMEMBER_COOKIE}={value}; Max-Age={max_age}; Path=/{base}; '
            f'SameSite=Strict" + (location.protocol === "https:" ? "; Secure" : ""); {then}</script>')


def _hand_cookie_to_browser() -> None:
    """Once after signing in (in the sidebar under "Sign out", an empty block for one rerun):
    the browser keeps the cookie that signs it in again after a reload."""
    value = st.session_state.pop(REMEMBER_PENDING, None)
    if value:
        st.html(_cookie_script(value, REMEMBER_S), unsafe_allow_javascript=True)


def _sign_in_link(secret: str) -> str:
    address = str(st.get_option("server.address") or "")
    host = socket.gethostname() if address in ("", "0.0.0.0", "::") else address
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"http://{host}:{st.get_option('server.port')}/{base + '/' if base else ''}?{TOKEN_PARAM}={secret}"


def _made_secret() -> str:
    """Once per server process: a fresh secret, printed to the operator's log (stderr) only.
    Kept in this module, not in a Streamlit cache, which a visitor's "clear cache" message
    would empty (a new secret, and the operator's printed one refused)."""
    global _made
    with _made_lock:
        if _made is None:
            _made = secrets.token_urlsafe(24)
            print(f"SSL Lens is shared: visitors sign in with the access secret {_made}\n"
                  f"  or open {_sign_in_link(_made)}\n"
                  f"  (set ${SECRET_ENV} or `{SECRET_KEY}` in .streamlit/secrets.toml to choose it)",
                  file=sys.stderr, flush=True)
        return _made


def access_secret() -> str:
    """The operator's secret ($SSL_ACCESS_SECRET, then secrets.toml), else the generated one."""
    chosen = os.environ.get(SECRET_ENV) or _secrets_entry(SECRET_KEY)
    if chosen:
        _warn_if_short(str(chosen))
    return chosen or _made_secret()


@functools.cache
def _warn_if_short(secret: str) -> None:
    """Once per secret: the operator's log says when it is short enough to guess."""
    if len(secret) < SHORT_SECRET:
        print(f"SSL Lens: the access secret is {len(secret)} characters long; one of {SHORT_SECRET} or more random "
              "characters keeps guessing hopeless (wrong guesses are slowed to one a second for the whole server)",
              file=sys.stderr, flush=True)


def admitted(kind: str | None = ...) -> bool:
    """Whether this session may see pages: the app is not shared, or it signed in (`kind`:
    `gate()`'s answer when the caller has it)."""
    kind = gate() if kind is ... else kind
    return (kind is None or (bool(st.session_state.get(SIGNED_IN)) and not _signed_out_elsewhere())
            or (kind == "oidc" and st.user.get("is_logged_in")))


def _signed_out_elsewhere() -> bool:
    """This session's browser signed out in another tab: the cookie value the session holds
    (REMEMBERED) is refused now, so its next rerun shows the sign-in (a walk's second tab
    kept searching after the first tab's "Sign out")."""
    value = st.session_state.get(REMEMBERED)
    with _signed_out_lock:
        return value is not None and value in _signed_out


def fragment(function=None, *, run_every=None):
    """`st.fragment` that stops unless the session is `admitted()`: a fragment reruns without
    main.py, so after "Sign out" the fragments the session drew would still answer."""
    def decorate(body):
        @functools.wraps(body)
        def gated(*args, **kwargs):
            if not admitted():
                st.stop()
            return body(*args, **kwargs)
        return st.fragment(gated, run_every=run_every)

    return decorate(function) if function is not None else decorate


# walk 37: after signing out in one tab, the other tab's next click met the sign-in beside the whole sidebar, whose
# links highlighted and led nowhere
HIDE_SIDEBAR = ("<style>[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'] {display: none}"
                "</style>")


def require() -> None:
    """Return only for a session allowed in; otherwise draw the sign-in and stop the script."""
    kind = gate()
    if kind is None:
        return
    session_guard.install()  # Streamlit's upload and clear-cache requests, which no script run gates
    if kind == "secret" and not admitted(kind):  # a reload or a new tab of a browser that signed in
        cookie = st.context.cookies.get(REMEMBER_COOKIE)
        if remembered(cookie, access_secret()):
            st.session_state[SIGNED_IN] = True
            st.session_state[REMEMBERED] = cookie
    if admitted(kind):
        session_guard.admit(_session_id())
        return
    session_guard.forget(_session_id())  # signed out in another tab: no more uploads either
    st.session_state.setdefault(WANTED_PAGE, urlsplit(st.context.url or "").path.rstrip("/").rsplit("/", 1)[-1])
    st.html(HIDE_SIDEBAR)  # this run draws no navigation: a tab signed out elsewhere kept its last page links
    if kind == "oidc":
        _oidc_sign_in(identity_provider())
    else:
        _secret_sign_in(access_secret())
    st.stop()


def _session_id() -> str:
    return get_script_run_ctx().session_id


def open_wanted_page(pages: list, running) -> None:
    """Once, right after signing in: switch to the page (of `pages`, st.Page) whose address
    the visitor opened before the sign-in, unless it is `running` (st.navigation's choice)."""
    wanted = st.session_state.pop(WANTED_PAGE, "")
    for page in pages:
        if wanted and page.url_path == wanted != running.url_path:
            st.switch_page(page)


def _secret_sign_in(secret: str) -> None:
    token = st.query_params.get(TOKEN_PARAM)
    if token is not None:
        del st.query_params[TOKEN_PARAM]  # out of the address bar (and the history) at once
    form = st.empty()  # emptied on the way in: walk 37's first start showed the greyed form and its last "not the
    # access secret" under "Preparing demo datasets" until the page came
    with form.container():
        st.title("SSL Lens")
        st.caption("This app is shared. Sign in with the access secret the person running it gave you "
                   "(printed in the server's log when the app was first opened, unless they chose one). "
                   f"This browser then stays signed in for {REMEMBER_S // 3600} hours, or until you sign out. "
                   + SHARED_WORK)
        if st.session_state.pop(FORGET_PENDING, False):  # then a fresh page: the browser kept the page links
            st.html(_cookie_script("", 0, then="location.reload();"), unsafe_allow_javascript=True)
        with st.form("access_sign_in"):
            given = st.text_input("Access secret", type="password")
            submitted = st.form_submit_button("Sign in", type="primary")
        attempt = given if submitted else token
        if attempt is None:
            return
        with _wrong_guess_lock:  # guesses are compared in turn, a wrong one holding the turn for a second:
            right = secret_matches(attempt, secret)  # one wrong guess a second for the whole server
            if not right:
                time.sleep(WRONG_SECRET_DELAY_S)
        if not right:
            st.error("That is not the access secret.")
            return
    st.session_state[SIGNED_IN] = True
    value = remember_value(secret, int(time.time()) + REMEMBER_S)
    st.session_state[REMEMBER_PENDING] = st.session_state[REMEMBERED] = value
    form.empty()
    st.rerun()


def _oidc_sign_in(provider: dict) -> None:
    st.title("SSL Lens")
    st.caption("This app is shared. Log in to continue. " + SHARED_WORK)
    named = [name for name, value in provider.items() if isinstance(value, dict)]
    if "client_id" in provider or not named:
        st.button("Log in", type="primary", on_click=st.login)
    for name in named:  # [auth.<name>] sections: one button per provider
        st.button(f"Log in with {name}", key=f"login_{name}", on_click=st.login, args=(name,))


def sign_out_button() -> None:
    """In the sidebar of a shared app: who is signed in and a "Sign out" button."""
    kind = gate()
    if kind is None:
        return
    if st.button("Sign out", icon=":material/logout:", key="access_sign_out"):
        st.session_state.pop(SIGNED_IN, None)
        session_guard.forget(_session_id())
        if kind == "secret":
            _refuse_from_now_on(st.session_state.pop(REMEMBERED, None))
            st.session_state[FORGET_PENDING] = True
        if kind == "oidc":
            st.logout()
        st.rerun()
    _hand_cookie_to_browser()
