"""Serving a room: server CPU per page visit, then N concurrent browser sessions.

Data flow: start the app (`streamlit run app/main.py -- --workspace W`) on a free localhost
port -> warm it (the demo data seeded by the first visit, one short SimCLR run trained by the
CLI, every page visited once so embeddings, maps and evaluations are on disk and in the
caches) -> one Chromium session: for every page, the server process's CPU time
(utime + stime of /proc/<pid>/stat, its threads included, its worker children not) from the
click on the page's sidebar link until the page has run and the server is quiet again, and
the same for a fresh page load in a new browser context (a new session) -> N sessions at
once (separate contexts of one headless Chromium, localhost only, bounded by --seconds),
each walking every page by the sidebar, timed from the click (or `goto`: the "first load"
row) until the page's title is drawn and its script has finished; with --think S each person
looks at a page for S seconds on average before the next click (a room following a speaker),
and with --arrive A the sessions open the app evenly over A seconds; without them every session
opens at once and clicks on at once (the worst case). A page fails when it does not finish within
--page-timeout or shows an exception box. With --share the app is served shared with a
fresh access secret (`-- --share`, $SSL_ACCESS_SECRET; still localhost): every session signs
in once through the real sign-in form (a session that cannot is a failure) and then walks by
the sidebar, and meanwhile a new context without the secret must see the sign-in form only.

Prints a table (per page: server CPU per sidebar visit and per fresh load, the Chromium
processes' CPU per sidebar visit and per fresh load (painting included: 1 s after the script
ends; a fresh load is where ten tabs on two cores go: Streamlit's frontend starting), p50/p95 page
time under load, failures; the same p50/p95 over the sidebar visits (and split: those started
while some session's first load was still running, and those after every first load had
finished) and over every page; the
server's and Chromium's CPU during the sessions, and how busy the whole machine was), the floor
under first loads (a bare Streamlit page of one heading, served the same way: its Chromium CPU per
fresh load, and when N such loads started at once could end at the earliest on this machine's
cores), and last `ratio: X.XX` = the slowest page's CPU per sidebar visit before issue 17's work
over now.

Before (the code at commit 01fe45d, measured with this script on the 2-core machine, a
workspace with the demo data and one finished 10-step SimCLR run, other work on the machine
at load 2-7; seconds of server CPU, median of 3 sidebar visits and of 2 fresh loads):

    page                 CPU/sidebar s  CPU/fresh s
    Data                          0.60         1.63
    Augmentation Lab              1.18         2.89
    Train                         0.65         1.78
    Embedding Explorer            0.96         1.88
    Retrieval                     1.20         2.38
    Evaluate                      0.49         1.57
    Concepts                      0.58         1.91
    10 sessions for 153 s: 4 pages finished, 24 failed (60 s timeouts); p50 44 s, p95 64 s;
    the server used 24 s of CPU (0.16 cores): the ten Chromium tabs drawing WebGL maps in
    software took the rest of the two cores.

Usage: python bench/serve.py [--sessions 10] [--seconds 240] [--think S] [--arrive A] [--share] [--training]
                             [--workspace DIR (kept, reused)]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ssl_core import machine_load  # noqa: E402  (the machine's busy time, read as the trainer reads it)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGES = [("Data", ""), ("Augmentation Lab", "augment_lab"), ("Train", "train"),
         ("Embedding Explorer", "explorer"), ("Retrieval", "retrieval"), ("Evaluate", "evaluate"),
         ("Concepts", "concepts")]  # (sidebar title, URL path)
DATASET = "shapes"
BEFORE_SLOWEST_SIDEBAR_CPU = 1.20  # s: the slowest page's CPU per sidebar visit before the work (Retrieval, above)
TICK = os.sysconf("SC_CLK_TCK")
DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
SECRET_ENV = "SSL_ACCESS_SECRET"  # app/access.py reads the operator's access secret here
SIGN_IN = "sign-in"  # the table's row for signing in (a session's first page, through the form)
BARE_PAGE = 'import streamlit as st\n\nst.title("Data")\n'  # Streamlit's frontend and one heading (bare_floor)
FIRST_LOAD = "first load"  # the table's row for a session's first page when not shared (a fresh load)


def first_row(secret: str | None) -> str:
    """The table's row for a session's first page: signing in when shared, else a fresh load."""
    return SIGN_IN if secret else FIRST_LOAD


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # fields 14 and 15 of stat(5), counted after the name


def browser_cpu_seconds() -> float:
    """CPU time of the Chromium processes this script started (browser, renderers, GPU and
    utility processes), in seconds; a process that has exited counts through its parent's
    cutime + cstime once reaped (a closed context's renderer through the zygote)."""
    parents: dict[int, int] = {}
    chromium: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # exited meanwhile
            continue
        name, fields = text[text.index("(") + 1:text.rindex(")")], text.rsplit(")", 1)[1].split()
        parents[int(stat.parent.name)] = int(fields[1])
        if name.startswith("chrom"):
            chromium[int(stat.parent.name)] = sum(int(field) for field in fields[11:15]) / TICK  # own + reaped

    def started_here(pid: int) -> bool:
        while pid > 1 and pid != os.getpid():
            pid = parents.get(pid, 0)
        return pid == os.getpid()

    return sum(seconds for pid, seconds in chromium.items() if started_here(pid))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(workspace: Path, port: int, log: Path, root: Path = ROOT, env: dict | None = None,
              secret: str | None = None) -> subprocess.Popen:
    """The app of checkout `root` serving `workspace` on localhost:`port` (extra environment
    `env`), returned once it answers its health check. With `secret` it is shared
    (`-- --share`, as behind a proxy: app/access.py) and every session signs in with it."""
    shared = ["--share"] if secret else []
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(root / "app" / "main.py"), "--server.port", str(port),
         "--server.address", "localhost", "--server.headless", "true", "--", "--workspace", str(workspace),
         *shared],
        cwd=root, stdout=log.open("w"), stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {}), **({SECRET_ENV: secret} if secret else {})})
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"streamlit exited with {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=2):
                return process
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the app did not become healthy in 180 s")


def train_a_run(workspace: Path, steps_minutes: float) -> None:
    """One short SimCLR run on the demo shapes (CLI), so pages show a trained encoder."""
    runs = subprocess.run([sys.executable, "-m", "ssl_core", "--workspace", str(workspace), "runs"],
                          cwd=ROOT, capture_output=True, text=True, check=True).stdout
    if '"completed"' in runs:
        return
    subprocess.run([sys.executable, "-m", "ssl_core", "--workspace", str(workspace), "train", "--dataset", DATASET,
                    "--minutes", str(steps_minutes), "--batch-size", "128"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def finished(page, title: str, timeout_ms: float) -> None:
    """Wait until `title`'s page is drawn and its script has stopped running."""
    await page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=timeout_ms)
    await page.locator(DONE).wait_for(timeout=timeout_ms)


async def quiet(pid: int, limit_s: float = 3.0) -> None:
    """Wait until the server's CPU clock stops moving (two reads 0.15 s apart agree)."""
    deadline = time.monotonic() + limit_s
    last = cpu_seconds(pid)
    while time.monotonic() < deadline:
        await asyncio.sleep(0.15)
        now = cpu_seconds(pid)
        if now == last:
            return
        last = now


async def sidebar_to(page, title: str, timeout_ms: float) -> None:
    await page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
    await finished(page, title, timeout_ms)


def page_url(url: str, path: str, secret: str | None = None) -> str:
    """The address of the page at `path`; with `secret`, the sign-in link the app prints
    (`?token=`), which signs a new session in on its first load."""
    return f"{url}/{path}?dataset={DATASET}" + (f"&token={secret}" if secret else "")


async def sign_in(page, url: str, secret: str, timeout_ms: float) -> None:
    """A new session signs in through the app's form (types the secret, presses "Sign in")
    and is shown the Data page (signing in at the app's address; a page's own address opens
    that page once signed in)."""
    await page.goto(page_url(url, ""), timeout=timeout_ms)
    await page.get_by_label("Access secret").fill(secret, timeout=timeout_ms)
    await page.get_by_role("button", name="Sign in").click(timeout=timeout_ms)
    await finished(page, "Data", timeout_ms)


async def fresh_load(browser, target: str, title: str, pid: int, timeout_ms: float) -> tuple[float, float]:
    """(server `pid`'s, Chromium's) CPU seconds of one load of `target` in a new context (a
    new session), until `title`'s page is drawn, the server is quiet and 1 s of painting after."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    await quiet(pid)
    before, browser_before = cpu_seconds(pid), browser_cpu_seconds()
    await page.goto(target)
    await finished(page, title, timeout_ms)
    await quiet(pid)
    await page.wait_for_timeout(1000)
    spent = cpu_seconds(pid) - before, browser_cpu_seconds() - browser_before
    await context.close()
    return spent


async def bare_floor(browser, loads: int, timeout_ms: float) -> float:
    """Median Chromium CPU seconds of `loads` fresh loads of a bare Streamlit page (BARE_PAGE:
    one heading), served like the app on localhost: what Streamlit's frontend costs a browser
    before any page of ours draws, the floor under every first load."""
    root = Path(tempfile.mkdtemp(prefix="serve-bare-"))
    (root / "app").mkdir()
    (root / "app" / "main.py").write_text(BARE_PAGE)
    port = free_port()
    bare = start_app(root, port, root / "streamlit.log", root=root)
    try:
        return statistics.median([(await fresh_load(browser, f"http://localhost:{port}", "Data", bare.pid,
                                                    timeout_ms))[1] for _ in range(loads)])
    finally:
        bare.terminate()
        bare.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)


async def measure_cpu(browser, url: str, pid: int, visits: int, timeout_ms: float,
                      secret: str | None) -> dict[str, dict[str, float]]:
    """Median server CPU per page: by a sidebar click, and by a fresh load in a new context
    (shared: only the sign-in link's load, which signs the new session in and shows Data)."""
    sidebar: dict[str, list[float]] = {title: [] for title, _ in PAGES}
    browser_side: dict[str, list[float]] = {title: [] for title, _ in PAGES}
    fresh: dict[str, list[float]] = {title: [] for title, _ in PAGES}
    browser_fresh: dict[str, list[float]] = {title: [] for title, _ in PAGES}
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    await page.goto(page_url(url, "", secret))
    await finished(page, "Data", timeout_ms)
    for _ in range(visits):
        for title, _ in PAGES[1:] + PAGES[:1]:
            await quiet(pid)
            before, browser_before = cpu_seconds(pid), browser_cpu_seconds()
            await sidebar_to(page, title, timeout_ms)
            await quiet(pid)
            await page.wait_for_timeout(1000)  # the browser paints on after the script ends
            sidebar[title].append(cpu_seconds(pid) - before)
            browser_side[title].append(browser_cpu_seconds() - browser_before)
    await context.close()
    for _ in range(max(1, visits - 1)):
        for title, path in PAGES[:1] if secret else PAGES:
            server, drawing = await fresh_load(browser, page_url(url, path, secret), title, pid, timeout_ms)
            fresh[title].append(server)
            browser_fresh[title].append(drawing)
    return {title: {"sidebar": statistics.median(sidebar[title]), "browser": statistics.median(browser_side[title]),
                    "fresh": statistics.median(fresh[title]) if fresh[title] else float("nan"),
                    "browser_fresh": statistics.median(browser_fresh[title]) if fresh[title] else float("nan")}
            for title, _ in PAGES}


async def walker(browser, url: str, stop_at: float, timeout_ms: float, times: dict, failures: dict,
                 offset: int, errors: list[str], secret: str | None, think: float = 0.0, seed: int = 0,
                 arrive: float = 0.0, *, timeline: list) -> None:
    """One session: a fresh load (shared: signing in through the form, once, then its first
    page by the sidebar), then every page by the sidebar, round after round until `stop_at`;
    with `think` > 0 a person looks at each page for think/2..3*think/2 s (uniform, so the
    sessions do not click in step; `seed` picks the looks) before the next click; the look is not
    page time. The session opens the app `arrive` s after the start. Every page that finished is
    also added to `timeline` as (row, start, end) in time.monotonic() seconds."""
    looks = random.Random(seed)
    await asyncio.sleep(arrive)
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    order = PAGES[offset:] + PAGES[:offset]
    first_title, first_path = order[0]
    first = first_row(secret)
    try:
        started = time.monotonic()
        try:
            if secret:
                await sign_in(page, url, secret, timeout_ms)
            else:
                await page.goto(page_url(url, first_path), timeout=timeout_ms)
                await finished(page, first_title, timeout_ms)
            times[first].append(time.monotonic() - started)
            timeline.append((first, started, time.monotonic()))
        except Exception as exc:  # a timeout: counted; a session that cannot sign in cannot walk
            failures[first] += 1
            errors.append(f"{first}: {str(exc).splitlines()[0]}")
            if secret:
                return
        if secret and first_title != "Data":  # signed in on Data: its first page comes first in the loop
            order = order[-1:] + order[:-1]
        while time.monotonic() < stop_at:
            for title, _ in order[1:] + order[:1]:
                await asyncio.sleep(think * looks.uniform(0.5, 1.5))
                if time.monotonic() >= stop_at:
                    break
                started = time.monotonic()
                try:
                    await sidebar_to(page, title, timeout_ms)
                except Exception as exc:
                    failures[title] += 1
                    signed_out = secret and await page.get_by_label("Access secret").count()
                    errors.append(f"{title}: " + ("the sign-in form again: the session's sign-in did not last"
                                                  if signed_out else str(exc).splitlines()[0]))
                    continue
                times[title].append(time.monotonic() - started)
                timeline.append((title, started, time.monotonic()))
                if await page.locator("[data-testid='stException']").count():
                    failures[title] += 1
                    errors.append(f"{title}: an exception box")
    finally:
        await context.close()


async def stranger(browser, url: str, secret: str | None, timeout_ms: float) -> bool | None:
    """Shared: while the sessions walk, does a new browser context without the secret see
    the sign-in form and no page? (None when the app is not shared.)"""
    if not secret:
        return None
    await asyncio.sleep(5)
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = await context.new_page()
        await page.goto(page_url(url, "train"), timeout=timeout_ms)
        await page.get_by_label("Access secret").wait_for(timeout=timeout_ms)
        await page.locator(DONE).wait_for(timeout=timeout_ms)
        return (await page.locator("[data-testid='stSidebarNav']").count() == 0
                and await page.get_by_role("heading", name="Train", exact=True).count() == 0)
    except Exception:  # no sign-in form within the timeout
        return False
    finally:
        await context.close()


def during_first_loads(timeline: list[tuple[str, float, float]], first: str) -> tuple[list[float], list[float]]:
    """Sidebar visits' page times split by when they started: (before the last session's first
    load had finished, after it). Tells whether a slow sidebar visit waited on the first-load wave
    (ten tabs starting Streamlit's frontend) or on the pages themselves."""
    wave_end = max((end for row, _, end in timeline if row == first), default=float("-inf"))
    visits = [(start, end - start) for row, start, end in timeline if row != first]
    return [took for start, took in visits if start < wave_end], [took for start, took in visits if start >= wave_end]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


async def main_async(args) -> None:
    from playwright.async_api import async_playwright

    workspace = Path(args.workspace) if args.workspace else Path(tempfile.mkdtemp(prefix="serve-bench-"))
    workspace.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://localhost:{port}"
    log = workspace.parent / f"{workspace.name}-streamlit.log"
    timeout_ms = args.page_timeout * 1000
    secret = secrets.token_urlsafe(16) if args.share else None
    app = start_app(workspace, port, log, secret=secret)
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            warm = await browser.new_context(viewport={"width": 1400, "height": 1000})
            page = await warm.new_page()
            await page.goto(page_url(url, "", secret))
            await finished(page, "Data", 600_000)  # seeds the demo data on a new workspace
            await asyncio.to_thread(train_a_run, workspace, args.train_minutes)
            started = time.monotonic()
            for _ in range(2):  # the first visit computes; the second fills the per-process caches
                for title, _ in PAGES[1:] + PAGES[:1]:
                    await sidebar_to(page, title, 900_000)
            await warm.close()
            print(f"warm-up: {time.monotonic() - started:.0f} s (workspace {workspace})", flush=True)

            cpu = await measure_cpu(browser, url, app.pid, args.visits, timeout_ms, secret)
            floor = await bare_floor(browser, max(2, args.visits), timeout_ms)

            rows = [first_row(secret)] + [title for title, _ in PAGES]
            times: dict[str, list[float]] = {row: [] for row in rows}
            failures = {row: 0 for row in rows}
            errors: list[str] = []
            timeline: list[tuple[str, float, float]] = []
            training = None
            if args.training:  # issue 13: the sessions move around while a run trains beside them
                training = subprocess.Popen(
                    [sys.executable, "-m", "ssl_core", "--workspace", str(workspace), "train", "--dataset", DATASET,
                     "--minutes", str(args.seconds / 60)], cwd=ROOT, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL)
            load_cpu, load_browser = cpu_seconds(app.pid), browser_cpu_seconds()
            load_machine = machine_load.machine_seconds()
            load_started = time.monotonic()
            *_, gate = await asyncio.wait_for(asyncio.gather(*[
                walker(browser, url, load_started + args.seconds, timeout_ms, times, failures, i % len(PAGES), errors,
                       secret, args.think, i, args.arrive * i / args.sessions, timeline=timeline) for i in range(args.sessions)],
                stranger(browser, url, secret, timeout_ms)),
                timeout=args.seconds + args.arrive + 3 * args.page_timeout + 60)
            load_wall = time.monotonic() - load_started
            load_cpu, load_browser = cpu_seconds(app.pid) - load_cpu, browser_cpu_seconds() - load_browser
            busy, every_core = (now - then for now, then in zip(machine_load.machine_seconds(), load_machine))
            if training is not None:
                training.terminate()
                training.wait(timeout=60)
            await browser.close()
    finally:
        app.terminate()
        try:
            app.wait(timeout=20)
        except subprocess.TimeoutExpired:
            app.kill()
        if not args.workspace:
            shutil.rmtree(workspace, ignore_errors=True)

    looking = (f", each looking {args.think:g} s (on average) at a page" if args.think else ", clicking on at once") + (
        f", arriving over {args.arrive:g} s" if args.arrive else ", all arriving at once")
    print(f"\n{args.sessions} sessions for {load_wall:.0f} s{looking}{' while a run trains' if args.training else ''}: "
          f"server CPU {load_cpu:.0f} s ({load_cpu / load_wall:.2f} cores), Chromium {load_browser:.0f} s "
          f"({load_browser / load_wall:.2f} cores); the machine was busy {busy / every_core:.0%} of the time on "
          f"its {os.cpu_count()} cores")
    print(f"{'page':<20} {'CPU/sidebar s':>13} {'CPU/fresh s':>11} {'browser s':>9} {'browser/fresh s':>15} "
          f"{'visits':>6} {'p50 s':>6} {'p95 s':>6} {'failed':>6}")
    every, walked = [], []
    for row in rows:
        every += times[row]
        walked += times[row] if row in cpu else []
        measured = (f"{cpu[row]['sidebar']:>13.2f} {cpu[row]['fresh']:>11.2f} {cpu[row]['browser']:>9.2f} "
                    f"{cpu[row]['browser_fresh']:>15.2f}".replace("nan", "  -") if row in cpu
                    else f"{'':>13} {'':>11} {'':>9} {'':>15}")
        print(f"{row:<20} {measured} {len(times[row]):>6} {percentile(times[row], 0.5):>6.1f} "
              f"{percentile(times[row], 0.95):>6.1f} {failures[row]:>6}")
    print(f"{'by the sidebar':<20} {'':>13} {'':>11} {'':>9} {'':>15} {len(walked):>6} {percentile(walked, 0.5):>6.1f} "
          f"{percentile(walked, 0.95):>6.1f} {sum(failures[row] for row in rows if row in cpu):>6}")
    for label, took in zip(("  during first loads", "  after first loads"), during_first_loads(timeline, rows[0])):
        print(f"{label:<20} {'':>13} {'':>11} {'':>9} {'':>15} {len(took):>6} {percentile(took, 0.5):>6.1f} "
              f"{percentile(took, 0.95):>6.1f} {'':>6}")
    print(f"{'all pages':<20} {'':>13} {'':>11} {'':>9} {'':>15} {len(every):>6} {percentile(every, 0.5):>6.1f} "
          f"{percentile(every, 0.95):>6.1f} {sum(failures.values()) + (gate is False):>6}")
    cores = os.cpu_count() or 1
    print(f"floor: a bare Streamlit page (one heading) costs Chromium {floor:.2f} s per fresh load, so "
          f"{args.sessions} first loads at once on {cores} cores end at least {args.sessions * floor / cores:.1f} s "
          f"after they start, whatever the app draws")
    if secret:
        print("a new browser context without the secret, meanwhile: "
              + ("the sign-in form only" if gate else "FAILED: it saw more than the sign-in form"))
    for error in errors[:5]:
        print(f"failed: {error}")
    slowest = max(cpu.values(), key=lambda c: c["sidebar"])["sidebar"]
    before = BEFORE_SLOWEST_SIDEBAR_CPU
    print(f"slowest page CPU per sidebar visit: before {before:.2f} s, now {slowest:.2f} s (goal <= 0.15 s)")
    print(f"ratio: {before / slowest:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10, help="concurrent browser sessions")
    parser.add_argument("--seconds", type=float, default=180, help="how long the sessions walk")
    parser.add_argument("--think", type=float, default=0.0,
                        help="s a person looks at a page before the next click (mean; 0: click on at once)")
    parser.add_argument("--arrive", type=float, default=0.0,
                        help="s over which the sessions open the app, evenly spaced (0: all at once)")
    parser.add_argument("--visits", type=int, default=3, help="sidebar visits per page for the CPU figure")
    parser.add_argument("--page-timeout", type=float, default=60, help="s before a page counts as failed")
    parser.add_argument("--train-minutes", type=float, default=0.5, help="the warm-up run's budget")
    parser.add_argument("--training", action="store_true", help="a run trains while the sessions walk (issue 13)")
    parser.add_argument("--share", action="store_true",
                        help="serve shared with an access secret: every session signs in through the form (issue 13)")
    parser.add_argument("--workspace", help="reuse (and keep) this workspace: warm-up is then quick")
    args = parser.parse_args()
    if args.think < 0 or args.arrive < 0:
        parser.error(f"--think and --arrive are seconds, 0 or more (got {args.think:g} and {args.arrive:g})")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
