"""Buurtscan's performance benchmark (DESIGN.md §10): server throughput and page weight.

Run from the repository root::

    .venv/bin/python bench/run.py [--postgres-url URL | --no-postgres] [--seconds N]
                                  [--concurrency 50]

It starts real uvicorn servers on free loopback ports (127.0.0.1 only), one worker each, and
loads them from this process:

1. Throughput: a bare FastAPI app (``bench/bare_app.py``, 1 KB of HTML) and Buurtscan on a fresh
   SQLite file and on a fresh PostgreSQL database; for each, N concurrent clients for a fixed
   time: requests per second, p50 and p99 latency of the bare page, of a questionnaire page and
   of an autosave post. Then every client's last acknowledged save is read back from the
   database: a lost save is one acknowledged with 200 that is not what is stored.
2. Page weight: the bytes and requests a phone loads for the first questionnaire page with an
   empty cache (HTML gzip-compressed plus every subresource), and for a later page with the
   static assets cached.

It reports; it is not a test, and it exits 0 whatever the figures (non-zero only when it could
not measure). Every server it starts is stopped and every database it makes is deleted, also on
error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import math
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

HOST = "127.0.0.1"  # loopback only, never anything else
SLUG = "planetenbuurt"
FIRST_PAGE = "rijke-ontwikkeldag"
LATER_PAGE = "armoede-werk-inkomen"
SAVE_FIELD = "rijke-ontwikkeldag.tevredenheid"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REQUEST_TIMEOUT = 30.0  # seconds per request: longer than the app's 10 s SQLite busy timeout
QUIET_CORES = 0.3  # other processes may use this much CPU before a row starts
START_TIMEOUT = 40.0  # seconds for a server to answer after it was started
P99_BUDGET_MS = 100.0
RATIO_BUDGET = 0.5
FIRST_VISIT_BUDGET = 50_000  # bytes (1 KB read as 1,000 bytes: the stricter reading)
FIRST_VISIT_REQUESTS = 6
LATER_PAGE_BUDGET = 15_000
UVICORN_FLAGS = [
    "--host",
    HOST,
    "--workers",
    "1",
    "--no-access-log",
    "--log-level",
    "warning",
    "--no-server-header",
]
PHONE_HEADERS = {
    "User-Agent": "Mozilla/5.0 (Linux; Android 14) Buurtscan-bench",
    "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
    "Accept-Encoding": "gzip",
    "Accept-Language": "nl-NL,nl;q=0.9",
}


# --------------------------------------------------------------------------------------------
# Cleanup: every server, directory and database this run makes is registered here at once.
# --------------------------------------------------------------------------------------------


class Cleanup:
    def __init__(self) -> None:
        self._actions: list[tuple[str, Callable[[], None]]] = []

    def add(self, label: str, action: Callable[[], None]) -> None:
        self._actions.append((label, action))

    def run(self) -> None:
        while self._actions:
            label, action = self._actions.pop()
            try:
                action()
            except Exception as error:  # keep cleaning up the rest
                print(f"cleanup: could not {label}: {error}", file=sys.stderr)


def _raise_exit(signum: int, _frame: Any) -> None:
    """Ctrl-C or SIGTERM: unwind so that ``finally`` stops the servers and drops the database."""
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # cancelled load tasks are expected
    raise SystemExit(128 + signum)


# --------------------------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


def postgres_cpu() -> dict[int, float]:
    """CPU time of each visible PostgreSQL process (its backends serve the app's queries)."""
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "postgres":
                found[int(entry.name)] = cpu_seconds(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def postgres_cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU that PostgreSQL processes used between two looks (processes that ended are lost)."""
    return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in after.items())


def busy_cores(seconds: float = 1.0) -> float:
    """How many cores the machine keeps busy over ``seconds``."""
    busy0, total0 = machine_ticks()
    time.sleep(seconds)
    busy1, total1 = machine_ticks()
    return (busy1 - busy0) / max(1, total1 - total0) * (os.cpu_count() or 1)


def wait_for_quiet(max_wait: float) -> float:
    """Wait (at most ``max_wait`` s) until other processes leave the cores idle; their load."""
    deadline = time.monotonic() + max_wait
    load = busy_cores()
    while load > QUIET_CORES and time.monotonic() < deadline:
        load = busy_cores()
    return load


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Server:
    """One uvicorn process on a free loopback port, one worker, access log off."""

    def __init__(
        self,
        label: str,
        asgi_app: str,
        env: dict[str, str],
        workdir: Path,
        cleanup: Cleanup,
        ready_path: str,
    ) -> None:
        self.label = label
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.log_path = workdir / f"server-{self.port}.log"
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            asgi_app,
            "--port",
            str(self.port),
            *UVICORN_FLAGS,
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        cleanup.add(f"stop server {label} (pid {self.process.pid})", self.stop)
        self._wait_ready(ready_path)

    def _wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server {self.label} exited at start:\n{self.log_tail()}")
            try:
                if httpx.get(self.base_url + path, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(
            f"server {self.label} did not answer in {START_TIMEOUT:.0f} s:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def logged_errors(self) -> list[tuple[str, int]]:
        """The exceptions in the server's log, most frequent first."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return []
        found = re.findall(
            r"^([A-Za-z_][\w.]*(?:Error|Exception|Disconnect)\b.{0,90})", text, re.MULTILINE
        )
        return Counter(found).most_common(4)

    def cpu(self) -> float:
        try:
            return cpu_seconds(self.process.pid)
        except OSError:
            return float("nan")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()  # this process only, by its pid
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUURTSCAN_")}
    env.update(extra)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"buurtscan {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout.strip()


# --------------------------------------------------------------------------------------------
# A lean HTTP/1.1 keep-alive client for the load (httpx's async client costs ~10x more CPU per
# request, and the load generator shares this machine's cores with the server).
# --------------------------------------------------------------------------------------------


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        assert self.reader is not None
        assert self.writer is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                body += await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        elif "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        else:
            body = b""
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, body


def build_request(
    method: str, path: str, port: int, headers: dict[str, str], body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if method != "GET":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


# --------------------------------------------------------------------------------------------
# Virtual users and a load phase
# --------------------------------------------------------------------------------------------


@dataclass
class User:
    """One virtual resident: its cookies, CSRF token, deelname and what it saved."""

    cookie: str = ""
    csrf: str = ""
    response_id: uuid.UUID | None = None
    form: list[tuple[str, str]] = field(default_factory=list)
    sent: int = 0
    last_acked: str | None = None
    unacked_since: set[str] = field(default_factory=set)


@dataclass
class PhaseResult:
    latencies: list[float]
    errors: int
    elapsed: float
    server_cpu: float
    loadgen_cpu: float
    machine_busy: float
    postgres_cpu: float
    busy_before: float
    error_samples: list[str]

    @property
    def other_cpu(self) -> float:
        return max(0.0, self.machine_busy - self.server_cpu - self.loadgen_cpu - self.postgres_cpu)

    @property
    def cpu_ms_per_request(self) -> float:
        total = self.server_cpu + self.postgres_cpu
        return total * self.elapsed / self.count * 1000 if self.count else float("nan")

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.count / self.elapsed if self.elapsed > 0 else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
        return ordered[rank] * 1000


RequestMaker = Callable[[int, User], tuple[bytes, Callable[[int, bytes], bool]]]


async def _load(
    port: int, users: list[User], make: RequestMaker, seconds: float, max_requests: int
) -> tuple[list[float], int, float, list[str]]:
    connections = [Connection(port) for _ in users]
    await asyncio.gather(*(c.open() for c in connections))
    latencies: list[float] = []
    errors = 0
    samples: list[str] = []
    started = time.perf_counter()
    deadline = started + seconds

    async def virtual_user(index: int) -> None:
        nonlocal errors
        user, connection = users[index], connections[index]
        while time.perf_counter() < deadline and len(latencies) + errors < max_requests:
            raw, check = make(index, user)
            t0 = time.perf_counter()
            try:
                status, body = await asyncio.wait_for(connection.request(raw), REQUEST_TIMEOUT)
            except (
                TimeoutError,
                OSError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                ValueError,
                IndexError,
            ) as error:
                connection.close()
                check(0, b"")
                errors += 1
                if len(samples) < 5:
                    samples.append(f"{type(error).__name__}: {error}")
                continue
            elapsed = time.perf_counter() - t0
            if check(status, body):
                latencies.append(elapsed)
            else:
                errors += 1
                if len(samples) < 5:
                    samples.append(f"HTTP {status}: {body[:120]!r}")

    await asyncio.wait_for(
        asyncio.gather(*(virtual_user(i) for i in range(len(users)))),
        seconds + REQUEST_TIMEOUT + 30,
    )
    ended = time.perf_counter()
    for connection in connections:
        connection.close()
    return latencies, errors, ended - started, samples


def run_phase(
    server: Server,
    users: list[User],
    make: RequestMaker,
    args: argparse.Namespace,
    *,
    postgres: bool = False,
) -> PhaseResult:
    """A warm-up, then one measured row; ``postgres``: count PostgreSQL's CPU apart."""
    busy_before = wait_for_quiet(args.quiet_wait)
    if args.warmup > 0:
        asyncio.run(_load(server.port, users, make, args.warmup, args.max_requests))
    cpu0, own0, (busy0, total0) = server.cpu(), own_cpu_seconds(), machine_ticks()
    pg0 = postgres_cpu() if postgres else {}
    latencies, errors, elapsed, samples = asyncio.run(
        _load(server.port, users, make, args.seconds, args.max_requests)
    )
    cpu1, own1, (busy1, total1) = server.cpu(), own_cpu_seconds(), machine_ticks()
    pg1 = postgres_cpu() if postgres else {}
    cores = os.cpu_count() or 1
    return PhaseResult(
        latencies=latencies,
        errors=errors,
        elapsed=elapsed,
        server_cpu=(cpu1 - cpu0) / elapsed,
        loadgen_cpu=(own1 - own0) / elapsed,
        machine_busy=(busy1 - busy0) / max(1, total1 - total0) * cores,
        postgres_cpu=postgres_cpu_between(pg0, pg1) / elapsed,
        busy_before=busy_before,
        error_samples=samples,
    )


def get_maker(path: str, port: int) -> RequestMaker:
    """A phone's plain GET of ``path`` with the client's cookies; 200 is success."""

    def make(_index: int, user: User) -> tuple[bytes, Callable[[int, bytes], bool]]:
        headers = dict(PHONE_HEADERS)
        if user.cookie:
            headers["Cookie"] = user.cookie
        return build_request("GET", path, port, headers), lambda status, _body: status == 200

    return make


def autosave_maker(port: int) -> RequestMaker:
    """What htmx sends on a change: the whole form (hx-include) with the next value 1..5."""
    path = f"/s/{SLUG}/stap/{FIRST_PAGE}/autosave"

    def make(_index: int, user: User) -> tuple[bytes, Callable[[int, bytes], bool]]:
        value = str(user.sent % 5 + 1)
        user.sent += 1
        fields = [(k, v) for k, v in user.form if k != SAVE_FIELD] + [(SAVE_FIELD, value)]
        body = urllib.parse.urlencode(fields).encode()
        headers = {
            **PHONE_HEADERS,
            "Cookie": user.cookie,
            "HX-Request": "true",
            "HX-Current-URL": f"http://{HOST}:{port}/s/{SLUG}/stap/{FIRST_PAGE}",
            "X-CSRF-Token": user.csrf,
            "Content-Type": "application/x-www-form-urlencoded",
        }

        def check(status: int, _body: bytes) -> bool:
            if status == 200:
                user.last_acked = value
                user.unacked_since = set()
                return True
            user.unacked_since.add(value)
            return False

        return build_request("POST", path, port, headers, body), check

    return make


# --------------------------------------------------------------------------------------------
# Residents: start 50 deelnames with httpx, the way a browser does
# --------------------------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields htmx includes from the questionnaire form (``hx-include="closest form"``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._textarea: str | None = None
        self._textarea_text = ""
        self._select: str | None = None
        self._select_value: str | None = None
        self._select_first: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "/stap/" in a.get("action", ""):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._textarea_text = name, ""
        elif tag == "select" and name:
            self._select, self._select_value, self._select_first = name, None, None
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._select_value = value

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._textarea_text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            value = self._select_value if self._select_value is not None else self._select_first
            self.fields.append((self._select, value or ""))
            self._select = None


def csrf_token_for(secret_key: str, cookie_value: str) -> str:
    return hmac.new(secret_key.encode(), cookie_value.encode(), hashlib.sha256).hexdigest()


def start_deelname(client: httpx.Client, secret_key: str) -> tuple[str, httpx.Response]:
    """What a browser does: the scan's intro page (gets the CSRF cookie), then "start"."""
    intro = client.get(f"/s/{SLUG}")
    cookie = client.cookies.get("csrf")
    if intro.status_code != 200 or cookie is None:
        raise RuntimeError(
            f"GET /s/{SLUG} answered {intro.status_code} with"
            f"{'' if cookie else 'out'} a csrf cookie: {intro.text[:300]!r}"
        )
    csrf = csrf_token_for(secret_key, cookie)
    started = client.post(f"/s/{SLUG}/start", data={"csrf_token": csrf})
    if started.status_code != 303 or "deelname" not in client.cookies:
        raise RuntimeError(
            f"POST /s/{SLUG}/start answered {started.status_code}: {started.text[:300]!r}"
        )
    return csrf, started


def start_residents(base_url: str, secret_key: str, count: int) -> list[User]:
    from itsdangerous import URLSafeTimedSerializer

    from app.scan.dependencies import COOKIE_SALT

    serializer = URLSafeTimedSerializer(secret_key, salt=COOKIE_SALT)
    users: list[User] = []
    for _ in range(count):
        with httpx.Client(
            base_url=base_url, headers=PHONE_HEADERS, timeout=30, follow_redirects=False
        ) as client:
            csrf, started = start_deelname(client, secret_key)
            page = client.get(started.headers["location"])
            if page.status_code != 200 or f"/stap/{FIRST_PAGE}" not in str(page.url):
                raise RuntimeError(f"first page answered {page.status_code} at {page.url}")
            parser = FormFields()
            parser.feed(page.text)
            deelname = serializer.loads(client.cookies["deelname"])
            users.append(
                User(
                    cookie="; ".join(f"{name}={value}" for name, value in client.cookies.items()),
                    csrf=csrf,
                    response_id=uuid.UUID(deelname["r"]),
                    form=parser.fields,
                )
            )
    return users


# --------------------------------------------------------------------------------------------
# Lost saves: what each client last got a 200 for, against what the database holds
# --------------------------------------------------------------------------------------------


@dataclass
class SaveCheck:
    clients: int
    acked_clients: int
    lost: int
    unacked_but_stored: int
    page_agrees: int
    details: list[str]


def check_saves(database_url: str, base_url: str, users: list[User]) -> SaveCheck:
    from sqlmodel import Session, col, create_engine, select

    from app.scan.models import Answer, Question

    engine = create_engine(database_url)
    stored: dict[uuid.UUID, str | None] = {}
    try:
        with Session(engine) as session:
            for user in users:
                assert user.response_id is not None
                values = session.exec(
                    select(Answer.value)
                    .join(Question, col(Question.id) == Answer.question_id)
                    .where(Answer.response_id == user.response_id, Question.key == SAVE_FIELD)
                ).all()
                stored[user.response_id] = (
                    values[0]
                    if len(values) == 1
                    else (None if not values else f"{len(values)} rows")
                )
    finally:
        engine.dispose()
    lost = unacked_but_stored = page_agrees = acked = 0
    details: list[str] = []
    with httpx.Client(base_url=base_url, headers=PHONE_HEADERS, timeout=30) as client:
        for number, user in enumerate(users):
            assert user.response_id is not None
            value = stored[user.response_id]
            if user.last_acked is not None:
                acked += 1
            if value != user.last_acked:
                if value in user.unacked_since:
                    unacked_but_stored += 1  # a save with no 200 that did land: not lost
                else:
                    lost += 1
                    if len(details) < 5:
                        details.append(
                            f"client {number}: acknowledged {user.last_acked!r}, stored {value!r}"
                        )
            page = client.get(f"/s/{SLUG}/stap/{FIRST_PAGE}", headers={"Cookie": user.cookie})
            form = FormFields()
            form.feed(page.text)
            checked = [v for k, v in form.fields if k == SAVE_FIELD]
            if page.status_code == 200 and checked == ([value] if value else []):
                page_agrees += 1
    return SaveCheck(len(users), acked, lost, unacked_but_stored, page_agrees, details)


# --------------------------------------------------------------------------------------------
# Page weight
# --------------------------------------------------------------------------------------------


class Subresources(HTMLParser):
    FETCHED_RELS = frozenset(
        {
            "stylesheet",
            "icon",
            "shortcut",
            "apple-touch-icon",
            "preload",
            "modulepreload",
            "manifest",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "link" and set(a.get("rel", "").lower().split()) & self.FETCHED_RELS:
            self.urls.append(a.get("href", ""))
        elif a.get("src") and (
            tag in ("script", "img", "source", "iframe")
            or (tag == "input" and a.get("type") == "image")
        ):
            self.urls.append(a["src"])


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


@dataclass
class Fetched:
    url: str
    status: int
    wire_body: int
    wire_total: int
    plain: int
    encoding: str
    cache_control: str


def fetch(client: httpx.Client, url: str) -> tuple[Fetched, httpx.Response]:
    response = client.get(url)
    head = (
        len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n")
        + sum(len(name) + len(value) + 4 for name, value in response.headers.raw)
        + 2
    )
    return Fetched(
        url=urllib.parse.urlsplit(str(response.url))._replace(scheme="", netloc="").geturl(),
        status=response.status_code,
        wire_body=response.num_bytes_downloaded,
        wire_total=response.num_bytes_downloaded + head,
        plain=len(response.content),
        encoding=response.headers.get("content-encoding", "-"),
        cache_control=response.headers.get("cache-control", "-"),
    ), response


def is_immutable(cache_control: str) -> bool:
    parts = {p.strip().split("=")[0]: p.strip() for p in cache_control.lower().split(",")}
    max_age = parts.get("max-age", "max-age=0").split("=")[-1]
    return "immutable" in parts and max_age.isdigit() and int(max_age) >= 30 * 86400


def page_with_subresources(
    client: httpx.Client, url: str, cached: set[str]
) -> tuple[list[Fetched], set[str], list[str]]:
    """The page and, recursively (CSS url()s), what it references that is not in ``cached``."""
    page, response = fetch(client, url)
    fetched = [page]
    seen: set[str] = set()
    parser = Subresources()
    parser.feed(response.text)
    queue = [urllib.parse.urljoin(str(response.url), u) for u in parser.urls if u]
    skipped: list[str] = []
    while queue and len(fetched) < 50:
        target = queue.pop(0)
        if target.startswith("data:") or target in seen:
            continue
        seen.add(target)
        if target in cached:
            skipped.append(target)
            continue
        item, sub = fetch(client, target)
        fetched.append(item)
        if "css" in sub.headers.get("content-type", ""):
            for match in CSS_URL.finditer(sub.text):
                ref = match.group(1) or match.group(2)
                queue.append(urllib.parse.urljoin(str(sub.url), ref.strip()))
    return fetched, seen, skipped


@dataclass
class WeightReport:
    first: list[Fetched]
    later: list[Fetched]
    later_skipped: list[str]
    notes: list[str]


def measure_page_weight(base_url: str, secret_key: str) -> WeightReport:
    notes: list[str] = []
    with httpx.Client(
        base_url=base_url, headers=PHONE_HEADERS, timeout=30, follow_redirects=False
    ) as client:
        start_deelname(client, secret_key)
        first, cached, _ = page_with_subresources(
            client, f"{base_url}/s/{SLUG}/stap/{FIRST_PAGE}", set()
        )
        for item in first[1:]:
            if not is_immutable(item.cache_control):
                notes.append(
                    f"NOT cached immutably: {item.url} (Cache-Control: {item.cache_control})"
                )
            if item.status != 200:
                notes.append(f"subresource {item.url} answered {item.status}")
        if first[0].status != 200:
            notes.append(f"first page answered {first[0].status}")
        later, _, skipped = page_with_subresources(
            client, f"{base_url}/s/{SLUG}/stap/{LATER_PAGE}", cached
        )
        if later[0].status != 200:
            notes.append(f"later page answered {later[0].status}")
        if len(first) > 1 and all(is_immutable(item.cache_control) for item in first[1:]):
            notes.append(
                f"all {len(first) - 1} static assets of the first page are cached "
                "immutably (Cache-Control: immutable, max-age >= 30 days) under "
                "content-hashed URLs, so the later page counts its HTML only"
            )
    for page in (first[0], later[0]):
        if page.encoding != "gzip":
            notes.append(f"{page.url} was not compressed (Content-Encoding: {page.encoding})")
    return WeightReport(first, later, skipped, notes)


# --------------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------------


def prepare_sqlite(workdir: Path, secret_key: str) -> tuple[str, dict[str, str], str]:
    url = f"sqlite:///{workdir / 'bench.db'}"
    env = child_env({"BUURTSCAN_DATABASE_URL": url, "BUURTSCAN_SECRET_KEY": secret_key})
    return url, env, run_cli(env, "demo")


def prepare_postgres(
    admin_url: str, secret_key: str, cleanup: Cleanup
) -> tuple[str, dict[str, str], str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"buurtscan_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    cleanup.add(f"drop database {name}", drop)
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    env = child_env({"BUURTSCAN_DATABASE_URL": url, "BUURTSCAN_SECRET_KEY": secret_key})
    return url, env, run_cli(env, "demo")


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def table(headers: list[str], rows: list[list[str]], right: set[int] | None = None) -> str:
    right = right if right is not None else set(range(1, len(headers)))
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def verdict(ok: bool) -> str:
    return "within" if ok else "OVER"


@dataclass
class Row:
    target: str
    request: str
    result: PhaseResult
    budgeted: bool


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def kb(n: float) -> str:
    return f"{n / 1000:.1f} KB"


def ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def print_report(
    args: argparse.Namespace,
    rows: list[Row],
    bare: PhaseResult | None,
    bare_sync: PhaseResult | None,
    saves: dict[str, SaveCheck],
    weight: WeightReport | None,
    notes: list[str],
    started: dt.datetime,
) -> None:
    cores = os.cpu_count() or 1
    print()
    print("=" * 100)
    print(
        f"Buurtscan benchmark, {started:%Y-%m-%d %H:%M} UTC, {platform.machine()}, {cores} "
        f"cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )
    print(
        f"Servers: uvicorn {_version('uvicorn')}, 1 worker each, access log off, {HOST} only "
        f"(flags: {' '.join(UVICORN_FLAGS)}); FastAPI {_version('fastapi')}."
    )
    print(
        f"Load: {args.concurrency} concurrent keep-alive clients (closed loop: each sends its "
        f"next request when the last one is answered) for {args.seconds:g} s per row after a "
        f"{args.warmup:g} s warm-up, at most {args.max_requests} requests per row."
    )
    print(
        f"The load generator is this one Python process (asyncio + uvloop and a lean HTTP/1.1 "
        f"client; httpx's async client could not load even the bare app) and it SHARES the "
        f"{cores} cores with the server and PostgreSQL: see the CPU columns."
    )
    print("=" * 100)
    print()
    print("1. Server throughput")
    print()
    headers = [
        "server",
        "request",
        "req/s",
        "x bare",
        "p50 ms",
        "p99 ms",
        "ok",
        "errors",
        "CPU ms/req",
        "srv",
        "pg",
        "load",
        "other",
    ]
    out: list[list[str]] = []
    for row in rows:
        r = row.result
        ratio = f"{r.rps / bare.rps:.2f}" if bare and bare.rps else "-"
        out.append(
            [
                row.target,
                row.request,
                f"{r.rps:.0f}",
                ratio,
                ms(r.percentile(50)),
                ms(r.percentile(99)),
                str(r.count),
                str(r.errors),
                ms(r.cpu_ms_per_request),
                f"{r.server_cpu:.2f}",
                f"{r.postgres_cpu:.2f}" if row.target == "PostgreSQL" else "-",
                f"{r.loadgen_cpu:.2f}",
                f"{r.other_cpu:.2f}",
            ]
        )
    print(table(headers, out, right=set(range(2, len(headers)))))
    print()
    print(
        "ok = answered 200 (only these count in req/s and latency); errors = any other status, "
        f"a dropped connection or no answer in {REQUEST_TIMEOUT:.0f} s."
    )
    print(
        "CPU ms/req = CPU time of the server process (+ PostgreSQL's processes) per ok "
        "request. srv, pg, load, other = cores busy during the row (1.00 = one core) in the "
        "server, PostgreSQL, the load generator, and everything else on the machine."
    )
    for row in rows:
        for sample in row.result.error_samples[:3]:
            print(f"  error sample ({row.target}, {row.request}): {sample}")
    if bare is not None and bare.rps:
        print(
            f"x bare = req/s / {bare.rps:.0f}, the bare app's async page: the yardstick of "
            "DESIGN.md §10."
        )
        if bare_sync is not None and bare_sync.rps:
            print(
                f"For information: against the bare app's thread-pool page ({bare_sync.rps:.0f}"
                " req/s) the app rows are "
                + ", ".join(
                    f"{row.target} {row.request.split()[0]} {row.result.rps / bare_sync.rps:.2f}"
                    for row in rows
                    if row.budgeted
                )
                + "."
            )
        print(
            "CPU cost against the bare async page (bare CPU ms/req / row's), what the ratio "
            "would be if CPU were the only limit: "
            + ", ".join(
                f"{row.target} {row.request.split()[0]} "
                f"{bare.cpu_ms_per_request / row.result.cpu_ms_per_request:.2f}"
                for row in rows
                if row.budgeted and row.result.count
            )
            + "."
        )
    noisy = [row for row in rows if row.result.busy_before > QUIET_CORES]
    if noisy:
        print(
            f"WARNING: other processes kept {max(r.result.busy_before for r in noisy):.2f} "
            f"cores busy just before {len(noisy)} row(s) (waited up to {args.quiet_wait:g} s "
            "for quiet): those figures are lower than this machine can do."
        )
    print()
    print("Budgets (DESIGN.md §10)")
    print()
    budget_rows: list[list[str]] = []
    for row in rows:
        if not row.budgeted:
            continue
        r = row.result
        if bare and bare.rps:
            share = r.rps / bare.rps
            budget_rows.append(
                [
                    f"{row.target}: {row.request}",
                    "x bare req/s >= 0.50",
                    f"{share:.2f}",
                    verdict(share >= RATIO_BUDGET),
                ]
            )
        p99 = r.percentile(99)
        budget_rows.append(
            [
                f"{row.target}: {row.request}",
                "p99 < 100 ms",
                f"{ms(p99)} ms" if r.count else "no 200 at all",
                verdict(r.count > 0 and p99 < P99_BUDGET_MS),
            ]
        )
    for target, check in saves.items():
        budget_rows.append(
            [
                f"{target}: autosave",
                "acknowledged saves lost = 0",
                f"{check.lost} of {check.acked_clients}",
                verdict(check.lost == 0),
            ]
        )
    if weight is not None:
        first_bytes = sum(f.wire_total for f in weight.first)
        first_requests = len(weight.first)
        later_bytes = sum(f.wire_total for f in weight.later)
        budget_rows += [
            [
                "first questionnaire page, empty cache",
                "<= 50 KB transferred",
                kb(first_bytes),
                verdict(first_bytes <= FIRST_VISIT_BUDGET),
            ],
            [
                "first questionnaire page, empty cache",
                "<= 6 requests",
                str(first_requests),
                verdict(first_requests <= FIRST_VISIT_REQUESTS),
            ],
            [
                "later page, assets cached",
                "<= 15 KB transferred",
                kb(later_bytes),
                verdict(later_bytes <= LATER_PAGE_BUDGET),
            ],
        ]
    print(table(["what", "budget", "measured", "verdict"], budget_rows, right={2}))
    print()
    if saves:
        print(
            "Lost-save check: after the autosave row, each client's last value acknowledged "
            "with 200 was read back from the database with SQLAlchemy and from the page's "
            "checked radio."
        )
        for target, check in saves.items():
            print(
                f"  {target}: {check.clients} clients, {check.acked_clients} with an "
                f"acknowledged save, lost {check.lost}; no-200 saves that did land "
                f"{check.unacked_but_stored}; page shows the stored value for "
                f"{check.page_agrees} of {check.clients}"
            )
            for detail in check.details:
                print(f"    {detail}")
        print()
    if weight is not None:
        print(
            "2. Page weight (Accept-Encoding: gzip; KB = 1,000 bytes; 'wire' = status line + "
            "response headers + body as sent)"
        )
        print()
        w_rows = []
        for label, items in (("first visit", weight.first), ("later page", weight.later)):
            for item in items:
                w_rows.append(
                    [
                        label,
                        item.url[:70],
                        str(item.status),
                        item.encoding,
                        str(item.plain),
                        str(item.wire_body),
                        str(item.wire_total),
                        item.cache_control[:40],
                    ]
                )
            w_rows.append(
                [
                    label,
                    f"TOTAL: {len(items)} request(s)",
                    "",
                    "",
                    str(sum(i.plain for i in items)),
                    str(sum(i.wire_body for i in items)),
                    str(sum(i.wire_total for i in items)),
                    "",
                ]
            )
        print(
            table(
                [
                    "visit",
                    "url",
                    "status",
                    "encoding",
                    "bytes",
                    "body wire",
                    "wire total",
                    "cache-control",
                ],
                w_rows,
                right={2, 4, 5, 6},
            )
        )
        if weight.later_skipped:
            print(
                f"Later page: {len(weight.later_skipped)} subresource(s) served from the "
                "cache (same URLs, Cache-Control immutable), not counted."
            )
        for note in weight.notes:
            print(f"  note: {note}")
        print()
    for note in notes:
        print(f"note: {note}")
    print("This run reports figures; it is not a pass/fail test.")


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help="a PostgreSQL server where this run may CREATE and DROP a database "
        "(default: %(default)s)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL rows")
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="measured seconds per row (default %(default)s)"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=2.0,
        help="warm-up seconds before each row, not counted (default %(default)s)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=50, help="concurrent clients (default %(default)s)"
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=200_000,
        help="at most this many requests per row (default %(default)s)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=60.0,
        help="before each row, wait at most this many seconds for other "
        "processes to leave the cores idle (default %(default)s)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be in (0, 600]")
    if not 0 <= args.warmup <= 60:
        parser.error("--warmup must be in [0, 60]")
    if not 1 <= args.concurrency <= 1000:
        parser.error("--concurrency must be in [1, 1000]")
    if args.max_requests < 1:
        parser.error("--max-requests must be positive")
    if not 0 <= args.quiet_wait <= 600:
        parser.error("--quiet-wait must be in [0, 600]")
    return args


@contextlib.contextmanager
def step(message: str) -> Iterator[None]:
    print(f"... {message}", flush=True)
    t0 = time.perf_counter()
    yield
    print(f"    done in {time.perf_counter() - t0:.1f} s", flush=True)


def app_rows(
    label: str, server: Server, users: list[User], args: argparse.Namespace, rows: list[Row]
) -> None:
    postgres = label == "PostgreSQL"
    page = get_maker(f"/s/{SLUG}/stap/{FIRST_PAGE}", server.port)
    with step(f"{label}: questionnaire page GET"):
        rows.append(
            Row(
                label,
                f"GET stap/{FIRST_PAGE}",
                run_phase(server, users, page, args, postgres=postgres),
                True,
            )
        )
    with step(f"{label}: autosave POST"):
        rows.append(
            Row(
                label,
                "POST autosave",
                run_phase(server, users, autosave_maker(server.port), args, postgres=postgres),
                True,
            )
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_exit)
    signal.signal(signal.SIGINT, _raise_exit)
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    started = dt.datetime.now(dt.UTC)
    cleanup = Cleanup()
    workdir = Path(tempfile.mkdtemp(prefix="buurtscan-bench-"))
    cleanup.add(f"remove {workdir}", lambda: shutil.rmtree(workdir, ignore_errors=True))
    secret_key = secrets.token_hex(32)
    rows: list[Row] = []
    saves: dict[str, SaveCheck] = {}
    notes: list[str] = []
    bare = bare_sync = None
    weight = None
    try:
        with step("bare app: GET / (async) and /sync"):
            server = Server("bare", "bench.bare_app:app", child_env({}), workdir, cleanup, "/")
            plain_users = [User() for _ in range(args.concurrency)]
            bare = run_phase(server, plain_users, get_maker("/", server.port), args)
            bare_sync = run_phase(server, plain_users, get_maker("/sync", server.port), args)
            rows.append(Row("bare FastAPI", "GET / (1 KB, async def)", bare, False))
            rows.append(Row("bare FastAPI", "GET /sync (1 KB, def)", bare_sync, False))
            server.stop()

        targets: list[tuple[str, Callable[[], tuple[str, dict[str, str], str]]]] = [
            ("SQLite", lambda: prepare_sqlite(workdir, secret_key)),
        ]
        if args.no_postgres:
            notes.append(
                "PostgreSQL skipped (--no-postgres): the PostgreSQL budgets are not "
                "measured in this run."
            )
        else:
            targets.append(
                ("PostgreSQL", lambda: prepare_postgres(args.postgres_url, secret_key, cleanup))
            )
        for label, prepare in targets:
            with step(f"{label}: fresh database, migrated, demo loaded"):
                url, env, output = prepare()
                print(f"    {output.splitlines()[-1] if output else ''}")
            server = Server(f"buurtscan-{label}", "app.asgi:app", env, workdir, cleanup, "/healthz")
            if weight is None:
                with step("page weight"):
                    weight = measure_page_weight(server.base_url, secret_key)
            with step(f"{label}: starting {args.concurrency} deelnames"):
                users = start_residents(server.base_url, secret_key, args.concurrency)
            app_rows(label, server, users, args, rows)
            with step(f"{label}: reading back every acknowledged save"):
                saves[label] = check_saves(url, server.base_url, users)
            server.stop()
            errors = server.logged_errors()
            if errors:
                notes.append(
                    f"{label} server logged: "
                    + "; ".join(f"{count} x {line}" for line, count in errors)
                )
    except (KeyboardInterrupt, SystemExit) as stop:
        print("\nstopped: cleaning up", file=sys.stderr)
        cleanup.run()
        return stop.code if isinstance(stop, SystemExit) and isinstance(stop.code, int) else 130
    except Exception as error:
        print(f"\nbenchmark could not finish: {type(error).__name__}: {error}", file=sys.stderr)
        cleanup.run()
        if rows:
            print_report(
                args,
                rows,
                bare,
                bare_sync,
                saves,
                weight,
                [*notes, "INCOMPLETE run (see the error above)"],
                started,
            )
        return 1
    finally:
        cleanup.run()
    print_report(args, rows, bare, bare_sync, saves, weight, notes, started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
