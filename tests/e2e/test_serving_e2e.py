"""Serving to others, in a real browser (issue 13.1, 13.5): the README's command listens on
localhost only and asks nothing; shared (`--server.address 0.0.0.0`) it shows only the
sign-in until the secret printed in the operator's log is given, and "Sign out" ends it;
hostile names render as text; a cross-origin upload is refused; a visitor sees no traceback
while the operator's log keeps it."""

from __future__ import annotations

import http.server
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import requests
from PIL import Image

from ssl_core.data.ingest import ingest_uploads
from ssl_core.store import Workspace
from tests.e2e.conftest import ROOT, SCREENSHOTS, _free_port, _wait_healthy, settled

pytestmark = pytest.mark.e2e

HOSTILE = "[click me](http://x) ![t](http://x/t.png) <img src=x onerror=alert(1)>"
HOSTILE_FILE = "[click me](javascript:alert(1)) ![t](t.png) <img src=x onerror=alert(1)> www.evil.example"
HOSTILE_LABEL = "<img src=x onerror=alert(1)> [click me](http://x)"


def png(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (24, 24, 3), dtype=np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def start(args: list[str], log_path: Path, env: dict | None = None, cwd: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """`streamlit run ARGS` from `cwd` (the repository root, as the README says) on a free
    port; (process, URL on localhost) once healthy."""
    port = _free_port()
    script, *rest = args  # Streamlit's own options before `--`, which passes the rest to the script
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), *rest],
                               cwd=cwd, stdout=open(log_path, "w"), stderr=subprocess.STDOUT,
                               env={**(env or os.environ), "PYTHONUNBUFFERED": "1"})
    url = f"http://localhost:{port}"
    try:
        _wait_healthy(url, process)
    except (RuntimeError, TimeoutError):
        stop(process)
        raise
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """The app shared the documented way (`--server.address 0.0.0.0`, no secret chosen) over
    a workspace holding one dataset with hostile names and labels: (url, log path)."""
    folder = tmp_path_factory.mktemp("shared")
    ws = Workspace(folder / "ws")
    ws.set_meta("demo_seeded", "1")
    files = [(f"{HOSTILE_FILE} {i}.png", png(i)) for i in range(4)]
    labels = "".join(f'"{name}",{HOSTILE_LABEL}\n' for name, _ in files).encode()
    ingest_uploads(ws, files, name=HOSTILE, size=32, labels_csv=labels)
    env = {key: value for key, value in os.environ.items() if key != "SSL_ACCESS_SECRET"}
    env["SSL_SESSION_UPLOAD_MB"] = "1"  # uploads one session may hold at once (app/session_guard.py)
    log = folder / "streamlit.log"
    process, url = start(["app/main.py", "--server.address", "0.0.0.0", "--", "--workspace", str(ws.root)], log, env)
    yield url, log
    stop(process)


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def printed_secret(log: Path) -> str:
    found = re.findall(r"access secret (\S+)", log.read_text())
    assert len(found) == 1, log.read_text()[-2000:]  # printed once, however many visitors
    return found[0]


def sign_in_box(page):
    return page.get_by_label("Access secret")


def assert_unreachable_from_outside(url: str) -> None:
    """Nothing answers `url`'s port on this machine's outward address (skips where it has none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: it only picks the outward interface
        outward = probe.getsockname()[0]
    if outward.startswith("127."):
        pytest.skip("this machine has no interface but loopback")
    with socket.socket() as client, pytest.raises(OSError):
        client.settimeout(3)
        client.connect((outward, int(url.rsplit(":", 1)[1])))


def test_readme_command_serves_localhost_only_with_no_password(page, app_url):
    page.locator("[data-testid='stSidebarNav']").wait_for(timeout=120_000)  # straight in: the pages, no sign-in
    assert sign_in_box(page).count() == 0
    assert_unreachable_from_outside(app_url)


def test_started_from_another_folder_it_still_serves_localhost_only(tmp_path):
    """The app's settings sit beside its script (app/.streamlit/config.toml), read whatever the
    current folder: started elsewhere it listened on every interface, with tracebacks shown."""
    process, url = start([str(ROOT / "app" / "main.py"), "--", "--workspace", str(tmp_path / "ws")],
                         tmp_path / "streamlit.log", cwd=tmp_path)
    try:
        assert_unreachable_from_outside(url)
    finally:
        stop(process)


def test_shared_app_shows_only_the_sign_in_until_the_secret(tab, shared, browser, screenshot):
    url, log = shared
    tab.goto(url + "/train")  # a page's own address does not get around the gate
    sign_in_box(tab).wait_for()
    assert tab.locator("[data-testid='stSidebarNav']").count() == 0
    assert tab.get_by_role("heading", name="Train").count() == 0
    screenshot(tab, "serving-sign-in")

    sign_in_box(tab).fill("not the secret")
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_text("That is not the access secret.").wait_for()
    sign_in_box(tab).fill(printed_secret(log))
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_role("heading", name="Train").first.wait_for()  # the page asked for, not the default one
    assert tab.locator("[data-testid='stSidebarNav']").count() == 1
    tab.get_by_role("button", name="Sign out").click()
    sign_in_box(tab).wait_for()

    tab.goto(f"{url}/?token={printed_secret(log)}")  # the link printed in the operator's log
    tab.get_by_role("heading", name="Data").first.wait_for()
    tab.wait_for_function("() => !location.search.includes('token')")  # out of the address bar
    assert tab.locator("[data-testid='stSidebarNav']").count() == 1
    tab.locator("[data-testid='stSidebarNav']").get_by_text("Train", exact=True).click()  # one sign-in: the session
    tab.get_by_role("heading", name="Train").first.wait_for()

    stranger = browser.new_context()  # meanwhile, another browser without the secret sees the sign-in only
    try:
        other = stranger.new_page()
        other.goto(url + "/train")
        sign_in_box(other).wait_for(timeout=60_000)
        assert other.locator("[data-testid='stSidebarNav']").count() == 0
        assert other.get_by_role("heading", name="Train").count() == 0
    finally:
        stranger.close()

    tab.get_by_role("button", name="Sign out").click()
    sign_in_box(tab).wait_for()
    assert tab.get_by_role("heading", name="Data").count() == 0


def signed_in(tab, shared) -> None:
    url, log = shared
    tab.goto(url)
    sign_in_box(tab).wait_for()  # the first visit has the secret printed, if it is not yet
    tab.goto(f"{url}/?token={printed_secret(log)}")
    tab.get_by_role("heading", name="Data").first.wait_for()
    tab.get_by_role("heading", name="Datasets").wait_for()  # drawn below the "Add a dataset" expander


def test_a_reload_or_a_new_tab_stays_signed_in_until_sign_out(tab, shared):
    """A room's visitors were sent back to the sign-in form by every reload (a reload is a new
    Streamlit session): the browser now keeps a signed cookie; "Sign out" deletes it, and a copy
    kept from before signs nobody in."""
    url, _ = shared
    signed_in(tab, shared)
    tab.wait_for_function("() => document.cookie.includes('ssl_lens_access=')")  # handed over after signing in
    tab.reload()
    tab.get_by_role("heading", name="Data").first.wait_for()
    assert sign_in_box(tab).count() == 0
    [cookie] = [c for c in tab.context.cookies() if c["name"] == "ssl_lens_access"]
    assert cookie["sameSite"] == "Strict" and cookie["expires"] > time.time() + 11 * 3600
    second = tab.context.new_page()
    second.goto(url + "/train")
    second.get_by_role("heading", name="Train").first.wait_for()

    with tab.expect_navigation():  # the sign-out reloads the page: the old document kept the page links
        tab.get_by_role("button", name="Sign out").click()
    sign_in_box(tab).wait_for()
    tab.wait_for_function("() => !document.cookie.includes('ssl_lens_access')")
    settled(tab)
    assert tab.locator("[data-testid='stSidebarNav']").count() == 0  # no page links beside the sign-in
    second.locator("[data-testid='stSidebarNav']").get_by_text("Data", exact=True).click()  # the other tab's next
    sign_in_box(second).wait_for()  # click meets the sign-in: it kept searching after the first tab signed out
    assert second.get_by_role("heading", name="Data").count() == 0
    settled(second)
    assert second.locator("[data-testid='stSidebarNav']").is_hidden()  # walk 37: its links stayed, leading nowhere
    second.close()
    for _ in range(2):  # a reload, then a reload with the cookie copied back
        tab.reload()
        sign_in_box(tab).wait_for()
        settled(tab)
        assert tab.locator("[data-testid='stSidebarNav']").count() == 0
        tab.context.add_cookies([cookie])


def test_hostile_names_render_as_text(tab, shared, screenshot):
    adding(tab, shared)
    own_upload(tab, lambda attempt: [{"name": f"{HOSTILE_FILE}.png", "mimeType": "image/png", "buffer": png(9)}] * 2)
    # twice: a warning names it
    name = tab.get_by_role("textbox", name="Dataset name (optional)")
    name.fill(HOSTILE + " 2")
    name.press("Enter")
    tab.get_by_role("button", name="Import upload").click()
    tab.get_by_text("Imported 2 images as dataset").wait_for()
    tab.get_by_text("1 file name occurs more than once").first.wait_for()  # the report, and kept with the dataset
    tab.locator("[data-testid='stImage']").first.wait_for()  # the gallery, whose captions are the names
    settled(tab)
    screenshot(tab, "serving-hostile-names")

    main = tab.locator("[data-testid='stMain']")
    assert main.get_by_text("[click me](http").count() >= 1  # shown, literally
    links = main.locator("a").evaluate_all("links => links.map(a => [a.getAttribute('href') || '', a.innerText])")
    assert not [link for link in links if re.search(r"evil|click|javascript|//x\b", " ".join(link))], links
    sources = main.locator("img").evaluate_all("images => images.map(i => i.getAttribute('src'))")
    assert not [s for s in sources if s in ("x", "t.png", "x.png") or "x/t.png" in s]
    assert tab.locator("[onerror]").count() == 0 and tab.dialogs == []


class _EvilOrigin(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<html><body>another site</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def images_uploader(tab):
    """The Data page's uploader of images, waited for: not the first uploader in the page, which
    is the encoder import's while "Add a dataset" is still opening (stop 53's CI)."""
    return (tab.locator("[data-testid='stFileUploader']").filter(has_text="Images or zip archives")
            .locator("input[type='file']"))


def adding(tab, shared) -> None:
    """Signed in, on the Data page with "Add a dataset" open once its first run has ended, so that
    no rerun replaces the uploader a file is given to."""
    signed_in(tab, shared)
    settled(tab)
    tab.get_by_text("Add a dataset").click()
    images_uploader(tab).locator("..").wait_for(state="visible")


def own_upload(tab, files=lambda attempt: [{"name": f"mine{attempt}.png", "mimeType": "image/png",
                                            "buffer": png(1)}]):
    """The app's own upload of `files(attempt)` through its images uploader: the (first) PUT's
    response. Given again when a rerun replaced the uploader before it sent (a full suite's busy
    cores once left the first one waiting 60 s)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):
        try:
            with tab.expect_response(lambda r: "/_stcore/upload_file/" in r.url and r.request.method == "PUT",
                                     timeout=30_000) as own:
                images_uploader(tab).set_input_files(files(attempt))
            return own
        except PlaywrightTimeout:
            if attempt == 2:
                raise


def test_cross_origin_upload_is_refused(tab, shared):
    url, _ = shared
    adding(tab, shared)
    own = own_upload(tab)
    upload_url = own.value.url  # /_stcore/upload_file/<live session>/<file id>
    assert own.value.status in (200, 204)  # the app's own upload: same origin, with its XSRF token

    cookies = {c["name"]: c["value"] for c in tab.context.cookies()}
    forged = requests.put(upload_url, files={"file": ("evil.png", png(2), "image/png")},
                          headers={"Origin": "http://evil.example"}, cookies=cookies, timeout=10)
    assert forged.status_code == 403  # the cookie alone is not enough: no X-Xsrftoken header

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EvilOrigin)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        tab.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        outcome = tab.evaluate("""async (url) => {
            const form = new FormData();
            form.append("file", new Blob(["x"], {type: "image/png"}), "evil.png");
            try { const r = await fetch(url, {method: "PUT", body: form, credentials: "include"});
                  return "answered " + r.status; }
            catch (error) { return "blocked: " + error; }
        }""", upload_url)
    finally:
        server.shutdown()
    assert outcome.startswith("blocked"), outcome


class RawSession:
    """A visitor's session spoken to over Streamlit's websocket, with no browser: what a
    script can do that the page never offers (its session id, an upload, "clear cache")."""

    def __init__(self, url: str):
        self.url, self.session_id = url, None

    def __enter__(self):
        from websockets.sync.client import connect

        self.connection = connect(self.url.replace("http", "ws") + "/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None)
        self.socket = self.connection.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.connection.__exit__(*exc)

    def send(self, fill) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        fill(message)
        self.socket.send(message.SerializeToString())

    def run(self, query: str = "") -> str:
        """Run the script (with `query` as the address's query string); its text, once finished."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.send(lambda m: setattr(m.rerun_script, "query_string", query))
        text = []
        while True:
            message = ForwardMsg.FromString(self.socket.recv(timeout=60))
            kind = message.WhichOneof("type")
            if kind == "new_session":
                self.session_id = message.new_session.initialize.session_id
            elif kind == "delta":
                text.append(str(message.delta))
            elif kind == "script_finished" and message.script_finished == message.FINISHED_SUCCESSFULLY:
                return "".join(text)

    def upload(self, file_id: str = "mine", size: int = 100_000) -> int:
        """PUT one file of `size` bytes for this session, with a matching XSRF cookie and
        header (anyone can make such a pair); the answer's status."""
        from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

        token = generate_xsrf_token_string(None, None)
        answer = requests.put(f"{self.url}/_stcore/upload_file/{self.session_id}/{file_id}",
                              files={"file": ("a.zip", b"x" * size)}, headers={"X-Xsrftoken": token},
                              cookies={"_streamlit_xsrf": token}, timeout=30)
        return answer.status_code


def test_a_visitor_not_signed_in_can_neither_upload_nor_clear_the_caches_nor_read_them(shared):
    """The upload route and the "clear cache" message are answered without running the
    script, so the sign-in form alone does not gate them (app/session_guard.py)."""
    url, log = shared
    with RawSession(url) as visitor, RawSession(url) as other:
        assert "Access secret" in visitor.run()
        assert visitor.upload() == 400  # refused before the body is read, none of it kept
        metrics = requests.get(f"{url}/_stcore/metrics", timeout=30)
        assert metrics.status_code == 200 and "cache" not in metrics.text, metrics.text[:300]  # no names, no sizes
        visitor.send(lambda m: setattr(m, "clear_cache", True))
        assert "Access secret" in other.run()
        secret = printed_secret(log)  # still one: the made secret was not cleared away with the caches
        assert "clear the caches of every visitor: ignored" in log.read_text()
        assert "Workspace: " in visitor.run(f"token={secret}")  # signed in: its rerun drew the pages
        assert visitor.upload() == 204  # the same session, signed in now, may upload
        assert visitor.upload("made-up", 600_000) == 204  # any id: 700,000 bytes held, under its 1 MiB
        assert visitor.upload("made-up-too", 600_000) == 413  # a signed-in session parked 1 GiB uploads at will
        assert visitor.upload("made-up", 900_000) == 204  # a file sent again replaces itself: 1,000,000 held
        assert "holds 700000 bytes of uploads: a further 600000 refused" in log.read_text()


def test_visitors_see_no_traceback_the_log_keeps_it(tab, tmp_path):
    script = tmp_path / "boom.py"
    script.write_text("import streamlit as st\nst.title('before')\nraise RuntimeError('detail only the operator sees')\n")
    (tmp_path / ".streamlit").mkdir()  # the app's settings beside this script, as they are beside app/main.py
    shutil.copy(ROOT / "app" / ".streamlit" / "config.toml", tmp_path / ".streamlit" / "config.toml")
    log = tmp_path / "boom.log"
    process, url = start([str(script), "--server.headless", "true"], log, cwd=tmp_path)
    try:
        tab.goto(url)
        tab.get_by_role("heading", name="before").wait_for()
        tab.locator("[data-testid='stException'], [data-testid='stAlert']").first.wait_for()
        shown = tab.locator("[data-testid='stMain']").inner_text()
        SCREENSHOTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / "serving-error-for-visitors.png"))
    finally:
        stop(process)
    assert "detail only the operator sees" not in shown and "Traceback" not in shown and "RuntimeError" not in shown
    assert "detail only the operator sees" in log.read_text() and "Traceback" in log.read_text()
