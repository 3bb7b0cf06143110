"""End-to-end ingest benchmark (not a test): ``wirebrief fetch`` against 127.0.0.1 feeds,
every stage, beside bare ``trafilatura.extract`` over the same pages in the same run.

    python benchmarks/ingest.py --corpus doj --pages 1000
    python benchmarks/ingest.py --corpus recombined --pages 10000,100000
    python benchmarks/ingest.py --corpus story --pages 5000
    WIREBRIEF_TEST_POSTGRES_URL=postgresql+psycopg://… python benchmarks/ingest.py \\
        --corpus doj --pages 1000 --engine postgres --workers 1,2,4

Corpora, read in place from ``../shared/data`` (nothing is copied into the repository):

- ``doj``: the original pages of ``public-news/doj-press-releases/html`` (U.S. DOJ press
  releases, public domain; 2,183 pages, the first N by file name);
- ``extraction``: the 109 pages of ``extraction-benchmark/html`` (many sites);
- ``recombined``: any number of pages, as ``benchmarks/search.py`` makes its articles: a
  real DOJ headline and 4 to 8 paragraphs drawn from all 4,899 releases, put in the page
  of a real release (its chrome, scripts and metadata), one page per index, the same for
  every run;
- ``story``: pages about one event (the same people, company and place in the headline
  and the first paragraphs, worded differently on every page, then paragraphs of DOJ
  releases), published over 60 hours, so that every page is an original that joins one
  story: the cost of the Nth article of one story.

The pages are served as ``--feeds`` RSS feeds (20) by a server in a process of its own
(served from this process it would share an interpreter lock with nothing we measure, but
its CPU would be counted with ours; it is reported apart). ``wirebrief fetch`` runs as a
child process on a fresh database with ``WIREBRIEF_PER_HOST_DELAY=0`` and
``WIREBRIEF_PER_HOST_CONCURRENCY=8``; on PostgreSQL, ``wirebrief worker -c 16`` processes
(1, 2 and 4; page-stage processes per worker = cores ÷ workers) run the polls enqueued at
once, and the run ends when the queue is empty.

Printed for each run:

- pages/s end to end, and bare trafilatura's one-core rate measured before and after it in
  this process on a sample of the same pages (``--bare-pages``), and their ratio; on a
  machine shared with other work the ratio is the figure that counts;
- cores used: CPU time of every process of the run (the fetching process, its page-stage
  processes; the PostgreSQL server on PostgreSQL) divided by the wall time, and by role;
  the fixture server's apart;
- CPU seconds per page beside bare trafilatura's (a cost that another load on the machine
  disturbs less than wall time);
- peak memory: the largest sum of the run's processes' proportional set size (PSS, shared
  pages counted once), and the largest single process's resident set;
- time per store step (ms per page that reached it: wall, and the writer thread's CPU, which
  another load on the machine disturbs less) and the store time per page over each
  tenth of the run, first to last: the cost of the Nth page. Step times are taken inside
  the child by wrapping the store steps (this file, ``--as-wirebrief``), so the child is
  ``wirebrief fetch`` with timers, nothing else.

``--json FILE`` writes every figure.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import platform
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import partial, wraps
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _data_folder() -> Path:
    """``../shared/data`` beside the checkout, or beside the main checkout for a git worktree."""
    candidates = [HERE.parent / ".." / "shared" / "data"]
    common = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--git-common-dir"],
                            capture_output=True, text=True, check=False).stdout.strip()  # fmt: skip
    if common:
        candidates.append((HERE / common).resolve().parent / ".." / "shared" / "data")
    return next((c.resolve() for c in candidates if c.is_dir()), candidates[0].resolve())


DATA = Path(os.environ.get("WIREBRIEF_BENCH_DATA") or _data_folder())
DOJ = DATA / "public-news" / "doj-press-releases"
EXTRACTION = DATA / "extraction-benchmark"
SEED = 20261207
CLK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CHILDREN = ", page-stage processes"  # a run's processes below the one we started


# ── corpora ──────────────────────────────────────────────────────────────────


@dataclass
class Corpus:
    """Pages by index: ``page(i)`` is the HTML, ``item(i)`` its feed title and time."""

    name: str
    size: int
    page: Callable[[int], bytes]
    item: Callable[[int], tuple[str, datetime | None]]


def _releases() -> list[dict[str, Any]]:
    with gzip.open(DOJ / "releases_2015-2018.jsonl.gz", "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _html_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.html.gz"))


def doj_corpus(n: int) -> Corpus:
    """The first ``n`` original DOJ pages."""
    files = _html_files(DOJ / "html")[:n]
    if len(files) < n:
        raise SystemExit(f"only {len(files)} DOJ pages; use --corpus recombined for more")
    times = {r["html_file"]: r["datetime"] for r in _releases() if r["html_file"]}
    pages = [gzip.decompress(f.read_bytes()) for f in files]
    titles = [_title(p) for p in pages]
    when = [datetime.fromisoformat(times[f"html/{f.name}"]) for f in files]
    return Corpus("doj", n, pages.__getitem__, lambda i: (titles[i], when[i]))


def extraction_corpus(n: int | None = None) -> Corpus:
    """The extraction benchmark's pages (109, from many sites)."""
    files = _html_files(EXTRACTION / "html")
    pages = [gzip.decompress(f.read_bytes()) for f in files][: n or None]
    titles = [_title(p) for p in pages]
    return Corpus("extraction", len(pages), pages.__getitem__, lambda i: (titles[i], None))


def _title(page: bytes) -> str:
    found = re.search(rb"<title[^>]*>(.*?)</title>", page, re.S | re.I)
    raw = found.group(1).decode("utf-8", "replace") if found else "untitled"
    return html.unescape(" ".join(raw.split()))[:300]


@dataclass
class _Template:
    """A DOJ page cut around what a recombined page replaces."""

    head: str  # up to the body's first paragraph, the title and h1 marked {title}
    tail: str  # after the body
    published: datetime


_BODY = re.compile(
    r'(<div class="field field--name-field-pr-body[^>]*><div class="field__items">'
    r'<div class="field__item even">)(.*?)(</div></div></div>)',
    re.S,
)


def _templates() -> list[_Template]:
    times = {r["html_file"]: r["datetime"] for r in _releases() if r["html_file"]}
    out = []
    for path in _html_files(DOJ / "html"):
        text = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        body = _BODY.search(text)
        title = re.search(r'<h1 id="node-title">(.*?)</h1>', text, re.S)
        if body is None or title is None:
            continue
        head = text[: body.end(1)].replace(title.group(1), "{title}")
        # Metadata that names the original release: the recombined page has its own.
        head = re.sub(r'(<link rel="canonical" href=")[^"]*', r"\1{url}", head)
        head = re.sub(r'(<meta (?:property="og|name="twitter):description" content=")[^"]*',
                      r"\1{lede}", head)  # fmt: skip
        out.append(_Template(head.replace("{", "{{").replace("}", "}}")
                             .replace("{{title}}", "{title}").replace("{{url}}", "{url}")
                             .replace("{{lede}}", "{lede}"),
                             text[body.start(3) :],
                             datetime.fromisoformat(times[f"html/{path.name}"])))  # fmt: skip
    return out


def _fill(template: _Template, url: str, title: str, paragraphs: list[str]) -> bytes:
    head = template.head.format(title=html.escape(title), url=url,
                                lede=html.escape(paragraphs[0][:300], quote=True))  # fmt: skip
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (head + body + template.tail).encode()


def recombined_corpus(n: int) -> Corpus:
    """``n`` pages: real headlines and paragraphs recombined, in real DOJ pages' chrome."""
    releases = _releases()
    titles = [r["title"] for r in releases]
    paragraphs = [p for r in releases for p in r["text"].split("\n\n") if len(p.split()) >= 8]
    templates = _templates()

    def draw(i: int) -> tuple[_Template, str, list[str]]:
        rng = random.Random(SEED * 1_000_003 + i)
        body = [rng.choice(paragraphs) for _ in range(rng.randint(4, 8))]
        return templates[i % len(templates)], rng.choice(titles), body

    def page(i: int) -> bytes:
        template, title, body = draw(i)
        return _fill(template, f"https://bench.example/recombined/{i}", title, body)

    def item(i: int) -> tuple[str, datetime | None]:
        template, title, _ = draw(i)
        return title, template.published

    return Corpus("recombined", n, page, item)


# One event told by thousands of write-ups: the same names, company and place, worded anew.
_PEOPLE = ("Harlan Voss", "Marisol Ortega", "Dimitri Kalas")
_COMPANY = "Meridian Freight"
_PLACE = "Port of Tacoma"
_TITLES = (
    "{company} strike at the {place} enters its {nth} day as {person} {verb} {object}",
    "{person} says {company} talks at the {place} {state} after {span}",
    "Cargo backlog at the {place} grows in {company} strike; {person} {verb} {object}",
    "{company} dockworkers at the {place} {state}, {person} tells {outlet}",
    "{place} strike: {person} of {company} {verb} {object} on its {nth} day",
)
_LEDES = (
    "{person} of {company} {said} on {day} that {count} {workers} at the {place} would "
    "{action} until {demand}, {detail}.",
    "At the {place}, {count} {workers} {action} on {day} while {person} {said} {company} "
    "{offer}, {detail}.",
    "{company} {offer}, {person} {said} on {day}, as {count} {workers} at the {place} "
    "{action} over {demand}.",
    "The strike against {company} at the {place} {state} on {day}: {person} {said} "
    "{count} {workers} {action}, {detail}.",
)
_SLOTS = {
    "verb": (
        "rejects",
        "demands",
        "welcomes",
        "warns of",
        "questions",
        "defends",
        "criticises",
        "accepts",
        "disputes",
    ),
    "object": (
        "the offer",
        "new terms",
        "federal mediation",
        "the wage proposal",
        "automation plans",
        "overtime rules",
        "the shift schedule",
        "pension cuts",
    ),
    "state": (
        "stall",
        "resume",
        "collapse",
        "falter",
        "restart",
        "continue",
        "break down",
        "drag on",
    ),
    "outlet": (
        "reporters",
        "the Tacoma council",
        "union members",
        "shippers",
        "investors",
        "a radio station",
        "local officials",
        "the port board",
    ),
    "said": (
        "said",
        "told reporters",
        "argued",
        "insisted",
        "announced",
        "claimed",
        "warned",
        "noted",
    ),
    "workers": (
        "dockworkers",
        "crane operators",
        "longshore workers",
        "truck drivers",
        "warehouse staff",
        "clerks",
        "mechanics",
        "pilots",
    ),
    "action": (
        "stay off the job",
        "picket the terminals",
        "halt loading",
        "walk out",
        "block the gates",
        "refuse overtime",
        "hold a vote",
        "march downtown",
    ),
    "demand": (
        "pay rises are agreed",
        "the automation plan is dropped",
        "pensions are kept",
        "safety rules change",
        "shifts are shortened",
        "the contract is signed",
    ),
    "offer": (
        "raised its wage offer",
        "offered a bonus",
        "hired replacement crews",
        "asked for mediation",
        "diverted ships north",
        "warned of layoffs",
        "cut its forecast",
        "filed a complaint",
    ),
    "detail": (
        "with ships waiting offshore",
        "while containers sat idle",
        "costing millions a day",
        "after long talks",
        "as trucks queued at the gates",
        "with every crane stopped",
        "as shippers looked north",
        "with talks adjourned",
    ),
    "count": ("hundreds of", "thousands of", "dozens of", "most", "many", "some", "all"),
    "nth": ["second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"],
    "span": ("a long night", "two days", "a weekend", "hours of talks", "a short break"),
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}


def story_corpus(n: int) -> Corpus:
    """``n`` original write-ups of one event, published over 60 hours."""
    releases = _releases()
    paragraphs = [p for r in releases for p in r["text"].split("\n\n") if len(p.split()) >= 20]
    templates = _templates()
    start = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)

    def fill(rng: random.Random, pattern: str) -> str:
        values = {key: rng.choice(choices) for key, choices in _SLOTS.items()}
        values.update(person=rng.choice(_PEOPLE), company=_COMPANY, place=_PLACE)
        text = pattern.format(**values)
        return text[0].upper() + text[1:]

    def draw(i: int) -> tuple[_Template, str, list[str], datetime]:
        rng = random.Random(SEED * 7_000_003 + i)
        title = fill(rng, rng.choice(_TITLES))
        lede = [" ".join(fill(rng, p) for p in rng.sample(_LEDES, 3)) for _ in range(3)]
        body = lede + [rng.choice(paragraphs) for _ in range(rng.randint(2, 4))]
        when = start + timedelta(seconds=60 * 60 * 60 * i / n)
        return templates[i % len(templates)], title, body, when

    def page(i: int) -> bytes:
        template, title, body, when = draw(i)
        filled = _fill(template, f"https://bench.example/story/{i}", title, body).decode()
        stamp = f'<meta property="article:published_time" content="{when.isoformat()}" />'
        return filled.replace("</head>", stamp + "\n</head>", 1).encode()

    def item(i: int) -> tuple[str, datetime | None]:
        _, title, _, when = draw(i)
        return title, when

    return Corpus("story", n, page, item)


CORPORA: dict[str, Callable[[int], Corpus]] = {
    "doj": doj_corpus,
    "extraction": extraction_corpus,
    "recombined": recombined_corpus,
    "story": story_corpus,
}


# ── the fixture server (its own process) ─────────────────────────────────────


def feed_of(corpus: Corpus, feed: int, feeds: int, base: str) -> bytes:
    """RSS for every ``feeds``-th page from ``feed`` on, newest first."""
    items = []
    for i in reversed(range(feed, corpus.size, feeds)):
        title, when = corpus.item(i)
        date = f"<pubDate>{format_datetime(when.astimezone(UTC))}</pubDate>" if when else ""
        items.append(f"<item><title>{html.escape(title)}</title>"
                     f"<link>{base}/page/{i}</link><guid>{corpus.name}-{i}</guid>{date}"
                     "</item>")  # fmt: skip
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{corpus.name} {feed}</title><link>{base}/</link><description>bench"
            f"</description>{''.join(items)}</channel></rss>").encode()  # fmt: skip


def serve(corpus: Corpus, feeds: int) -> tuple[Any, str]:
    """The corpus on 127.0.0.1 from a process of its own (fork: the corpus is not copied)."""
    import multiprocessing

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            base = f"http://127.0.0.1:{self.server.server_port}"
            status = 200
            if parts[0] == "feed" and len(parts) == 2:
                body, kind = feed_of(corpus, int(parts[1]), feeds, base), "application/rss+xml"
            elif parts[0] == "page" and len(parts) == 2 and int(parts[1]) < corpus.size:
                body, kind = corpus.page(int(parts[1])), "text/html; charset=utf-8"
            else:  # robots.txt and anything else
                status, body, kind = 404, b"not here", "text/plain"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    context = multiprocessing.get_context("fork")
    ports = context.Queue()

    def run() -> None:
        ThreadingHTTPServer.daemon_threads = True
        ThreadingHTTPServer.request_queue_size = 256
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ports.put(server.server_port)
        server.serve_forever()

    process = context.Process(target=run, daemon=True)
    process.start()
    return process, f"http://127.0.0.1:{ports.get(timeout=60)}"


# ── bare trafilatura, the anchor ─────────────────────────────────────────────


def bare_trafilatura(corpus: Corpus, sample: list[int]) -> dict[str, float]:
    """``trafilatura.extract(html, url=url)`` with its defaults over the sample, one process."""
    import trafilatura

    pages = [(corpus.page(i).decode("utf-8", "replace"), f"http://bench/{i}") for i in sample]
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for text, url in pages:
        trafilatura.extract(text, url=url)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    n = len(pages)
    return {"pages": n, "pages_per_s": n / wall, "cpu_s_per_page": cpu / n}


# ── the child: `wirebrief fetch` or `wirebrief worker`, with timers on the store steps ──


class StepTimes:
    """Time per store step, and per page stored, written to a JSON file now and then."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.steps: dict[str, list[float]] = {}  # name -> [count, seconds, CPU seconds]
        self.pages: list[tuple[float, float]] = []  # (started, seconds) per page stored
        self.t0 = time.time()

    def add(self, name: str, seconds: float, cpu_s: float) -> None:
        with self.lock:
            entry = self.steps.setdefault(name, [0, 0.0, 0.0])
            entry[0] += 1
            entry[1] += seconds
            entry[2] += cpu_s

    def page(self, started: float, seconds: float) -> None:
        with self.lock:
            self.pages.append((started - self.t0, seconds))

    def dump(self) -> None:
        with self.lock:
            data = {"t0": self.t0, "steps": self.steps, "pages": self.pages}
        tmp = f"{self.path}.{os.getpid()}.tmp"
        with open(tmp, "w") as out:
            json.dump(data, out)
        os.replace(tmp, f"{self.path}.{os.getpid()}")


def timed(times: StepTimes, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            times.add(name, time.perf_counter() - started, time.thread_time() - cpu)

    return wrapper


def install_timers(times: StepTimes) -> None:
    """Wrap each store step, and the store of one page (its transaction and commit)."""
    from wirebrief.pipeline import ingestor, store

    store.PLACE_STEPS = tuple(timed(times, f.__name__, f) for f in store.PLACE_STEPS)
    store.RECORD_STEPS = tuple(timed(times, f.__name__, f) for f in store.RECORD_STEPS)
    whole = ingestor.Ingestor._store_article

    @wraps(whole)
    def store_one(self: Any, *args: Any, **kwargs: Any) -> Any:
        wall, started, cpu = time.time(), time.perf_counter(), time.thread_time()
        try:
            return whole(self, *args, **kwargs)
        finally:
            seconds = time.perf_counter() - started
            times.add("page, whole transaction", seconds, time.thread_time() - cpu)
            times.page(wall, seconds)

    ingestor.Ingestor._store_article = store_one


def as_wirebrief(timings: str, argv: list[str]) -> None:
    """Run the ``wirebrief`` command line with timers installed (the benchmark's child)."""
    times = StepTimes(timings)
    install_timers(times)

    def every_two_seconds() -> None:
        while True:
            time.sleep(2)
            times.dump()

    threading.Thread(target=every_two_seconds, daemon=True).start()
    from wirebrief.cli.app import app
    from wirebrief.stopping import Stopped, stop_on_signals

    sys.argv = ["wirebrief", *argv]
    try:
        with stop_on_signals():  # SIGTERM ends a worker: unwound, then the timings written
            app()
    except Stopped:
        pass
    finally:
        times.dump()


def read_times(prefix: str) -> dict[str, Any]:
    """Every child's timings (one file per process) put together."""
    steps: dict[str, list[float]] = {}
    pages: list[tuple[float, float]] = []
    for path in Path(prefix).parent.glob(Path(prefix).name + ".*"):
        if path.suffix == ".tmp":
            continue
        data = json.loads(path.read_text())
        for name, (count, seconds, cpu_s) in data["steps"].items():
            entry = steps.setdefault(name, [0, 0.0, 0.0])
            entry[0] += count
            entry[1] += seconds
            entry[2] += cpu_s
        pages.extend((data["t0"] + t, s) for t, s in data["pages"])
    pages.sort()
    return {"steps": steps, "pages": pages}


# ── measuring processes ──────────────────────────────────────────────────────


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, CPU seconds of its own threads, RSS bytes), or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    cpu = (float(fields[11]) + float(fields[12])) / CLK
    return int(fields[1]), cpu, int(fields[21]) * PAGE_SIZE


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Sampler:
    """CPU and memory of process trees, sampled from /proc every ``interval`` seconds.

    ``roots`` maps a role to the pids whose trees it covers; a pid that was seen keeps its
    last CPU time after it exits (the pool's processes live as long as the run).
    """

    def __init__(
        self, roots: dict[str, list[int]], *, running: tuple[str, ...] = (), interval: float = 0.5
    ) -> None:
        self.roots = roots
        self.running = running  # roles whose processes ran before: only CPU from now counts
        self.interval = interval
        self.cpu: dict[int, tuple[str, float]] = {}
        self.cpu0: dict[int, float] = {}
        self.peak_pss = 0
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree(self) -> dict[int, str]:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                found = _stat(int(entry))
                if found:
                    parents[int(entry)] = found[0]
        roles = {pid: role for role, pids in self.roots.items() for pid in pids}
        changed = True
        while changed:
            changed = False
            for pid, parent in parents.items():
                if pid not in roles and parent in roles:
                    role = roles[parent]
                    own = role in self.running or role.endswith(CHILDREN)
                    roles[pid] = role if own else role + CHILDREN
                    changed = True
        return roles

    def sample(self, first: bool = False) -> None:
        pss = 0
        for pid, role in self._tree().items():
            found = _stat(pid)
            if found is None:
                continue
            if first and role in self.running:
                self.cpu0[pid] = found[1]
            self.cpu[pid] = (role, found[1])
            if role not in self.running:  # the run's own processes
                self.peak_rss = max(self.peak_rss, found[2])
                pss += _pss(pid)
        self.peak_pss = max(self.peak_pss, pss)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def start(self) -> Sampler:
        self.sample(first=True)
        self._thread.start()
        return self

    def stop(self) -> dict[str, float]:
        """CPU seconds used by each role since ``start``."""
        self._stop.set()
        self._thread.join()
        self.sample()
        used: dict[str, float] = {}
        for pid, (role, cpu) in self.cpu.items():
            used[role] = used.get(role, 0.0) + cpu - self.cpu0.get(pid, 0.0)
        return used


def load_average() -> str:
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


# ── runs ─────────────────────────────────────────────────────────────────────


@dataclass
class Run:
    """What one end-to-end run measured."""

    setup: str
    pages: int
    wall_s: float = 0.0
    cpu_s: dict[str, float] = field(default_factory=dict)
    peak_pss: int = 0
    peak_rss: int = 0
    stored: dict[str, int] = field(default_factory=dict)
    times: dict[str, Any] = field(default_factory=dict)
    load: tuple[str, str] = ("", "")
    stopped: str | None = None


def bench_env(database_url: str, extract_workers: int | None = None) -> dict[str, str]:
    env = dict(os.environ, WIREBRIEF_DATABASE_URL=database_url, WIREBRIEF_PER_HOST_DELAY="0",
               WIREBRIEF_PER_HOST_CONCURRENCY="8",
               WIREBRIEF_ALLOW_PRIVATE_NETWORKS="127.0.0.1/32")  # fmt: skip
    if extract_workers is not None:
        env["WIREBRIEF_EXTRACT_WORKERS"] = str(extract_workers)
    return env


def prepare(env: dict[str, str], base: str, feeds: int) -> None:
    """A fresh schema with the feeds as sources."""
    from wirebrief.settings import Settings
    from wirebrief.storage import sources as source_store
    from wirebrief.storage.db import Database

    db = Database(Settings.from_env(env).database_url)
    db.upgrade()
    with db.session() as session:
        for f in range(feeds):
            source_store.add_source(session, f"{base}/feed/{f}", f"feed {f}")
    db.dispose()


def what_was_stored(database_url: str) -> dict[str, int]:
    """Rows written: articles, copies among them, stories and the largest one's size."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    counts = {}
    with engine.connect() as connection:
        for name, query in (
            ("articles", "SELECT count(*) FROM articles"),
            ("copies", "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL"),
            ("sightings", "SELECT count(*) FROM article_sightings"),
            ("stories", "SELECT count(*) FROM stories WHERE article_count > 0"),
            ("largest story", "SELECT coalesce(max(article_count), 0) FROM stories"),
            ("search index", "SELECT count(*) FROM articles_fts")
            if engine.dialect.name == "sqlite"
            else ("search index", "SELECT count(*) FROM articles WHERE search_vector IS NOT NULL"),
        ):
            try:
                counts[name] = int(connection.execute(text(query)).scalar() or 0)
            except Exception:  # a table another version names differently
                connection.rollback()
    engine.dispose()
    return counts


def watch(
    run: Run, processes: list[subprocess.Popen], sampler: Sampler, times: str, args: Any,
    done: Callable[[], bool],
) -> None:  # fmt: skip
    """Wait for ``done``; print progress; stop everything when memory passes the bound."""
    started = time.perf_counter()
    last_note = started
    while not done():
        time.sleep(0.5)
        if sampler.peak_pss > args.max_memory_gb * 2**30:
            run.stopped = f"stopped: memory passed {args.max_memory_gb} GB"
            for process in processes:
                os.killpg(process.pid, signal.SIGKILL)
            return
        if time.perf_counter() - last_note > 30:
            last_note = time.perf_counter()
            stored = len(read_times(times)["pages"])
            print(
                f"  … {time.perf_counter() - started:6.0f} s: {stored} pages stored, "
                f"memory {sampler.peak_pss / 2**20:.0f} MB, load {load_average()}",
                flush=True,
            )


def child(times: str, argv: list[str], env: dict[str, str], log: Any) -> subprocess.Popen:
    command = [sys.executable, str(Path(__file__).resolve()), "--as-wirebrief", times, "--", *argv]
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip


def run_sqlite(corpus: Corpus, server: Any, base: str, args: Any, tmp: Path) -> Run:
    """``wirebrief fetch`` of every feed into a fresh SQLite file."""
    url = f"sqlite:///{tmp}/bench.db"
    env = bench_env(url)
    prepare(env, base, args.feeds)
    run = Run("SQLite, wirebrief fetch", corpus.size)
    times = str(tmp / "times")
    run.load = (load_average(), "")
    with open(tmp / "fetch.log", "w") as log:
        started = time.perf_counter()
        process = child(times, ["fetch"], env, log)
        sampler = Sampler({"wirebrief fetch": [process.pid], "fixture server": [server.pid]},
                          running=("fixture server",)).start()  # fmt: skip
        watch(run, [process], sampler, times, args, lambda: process.poll() is not None)
        process.wait()
        run.wall_s = time.perf_counter() - started
    run.cpu_s = sampler.stop()
    run.peak_pss, run.peak_rss = sampler.peak_pss, sampler.peak_rss
    run.load = (run.load[0], load_average())
    if process.returncode not in (0, None) and not run.stopped:
        run.stopped = f"wirebrief fetch exited with {process.returncode}: see {tmp}/fetch.log"
    run.times = read_times(times)
    run.stored = what_was_stored(url)
    return run


def run_postgres(
    corpus: Corpus, server: Any, base: str, args: Any, tmp: Path, *, workers: int
) -> Run:
    """``wirebrief worker`` processes running the polls enqueued at once, until the queue is
    empty."""
    import asyncio

    from sqlalchemy import create_engine, text

    from wirebrief.jobs.app import ensure_schema, make_app
    from wirebrief.jobs.tasks import defer_poll
    from wirebrief.settings import Settings

    url = os.environ["WIREBRIEF_TEST_POSTGRES_URL"]
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    env = bench_env(url, max(1, (os.cpu_count() or 1) // workers))
    prepare(env, base, args.feeds)
    settings = Settings.from_env(env)

    async def enqueue(polls: bool) -> None:
        app = make_app(settings)
        async with app.open_async():
            await ensure_schema(app)
            for source_id in range(1, args.feeds + 1) if polls else ():
                await defer_poll(app, source_id, force=True)

    asyncio.run(enqueue(polls=False))
    pg_dir = os.environ.get("WIREBRIEF_TEST_POSTGRES_DIR")
    postmaster = [int(Path(pg_dir, "postmaster.pid").read_text().split()[0])] if pg_dir else []
    run = Run(f"PostgreSQL, {workers} worker{'s' if workers > 1 else ''}", corpus.size)
    times = str(tmp / f"times-pg{workers}")
    run.load = (load_average(), "")

    def queue_empty() -> bool:
        with engine.connect() as connection:
            return not connection.execute(text(
                "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
            )).scalar()  # fmt: skip

    with open(tmp / f"worker-{workers}.log", "w") as log:
        processes = [child(times, ["worker", "-c", "16"], env, log) for _ in range(workers)]
        time.sleep(5)  # workers up, their page-stage pools started, before the clock starts
        sampler = Sampler({"wirebrief worker": [p.pid for p in processes],
                           "postgresql server": postmaster, "fixture server": [server.pid]},
                          running=("postgresql server", "fixture server")).start()  # fmt: skip
        started = time.perf_counter()
        asyncio.run(enqueue(polls=True))
        time.sleep(1)
        watch(run, processes, sampler, times, args, queue_empty)
        run.wall_s = time.perf_counter() - started
        run.cpu_s = sampler.stop()
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    run.peak_pss, run.peak_rss = sampler.peak_pss, sampler.peak_rss
    run.load = (run.load[0], load_average())
    run.times = read_times(times)
    run.stored = what_was_stored(url)
    engine.dispose()
    return run


# ── report ───────────────────────────────────────────────────────────────────


def tenths(pages: list[tuple[float, float]]) -> list[float]:
    """Mean store ms per page over each tenth of the pages, in the order they were stored."""
    if len(pages) < 10:
        return []
    size = len(pages) / 10
    return [
        1000
        * sum(s for _, s in pages[int(k * size) : int((k + 1) * size)])
        / max(1, int((k + 1) * size) - int(k * size))
        for k in range(10)
    ]


def report(run: Run, bare: list[dict[str, float]]) -> dict[str, Any]:
    """Print one run beside bare trafilatura; return its figures."""
    rate = run.pages / run.wall_s if run.wall_s else 0.0
    bare_rate = sum(b["pages_per_s"] for b in bare) / len(bare)
    bare_cpu = sum(b["cpu_s_per_page"] for b in bare) / len(bare)
    ours = {role: s for role, s in run.cpu_s.items() if role != "fixture server"}
    cpu_total = sum(ours.values())
    stored_pages = len(run.times.get("pages", []))
    print(f"\n{run.setup}: {run.pages:,} pages, {run.wall_s:.1f} s"
          + (f"  [{run.stopped}]" if run.stopped else ""))  # fmt: skip
    print(f"  pages/s {rate:8.1f}   bare trafilatura, one process: "
          + " / ".join(f"{b['pages_per_s']:.1f}" for b in bare)
          + f" pages/s (before / after)   ratio {rate / bare_rate:.2f}")  # fmt: skip
    print(f"  cores used {cpu_total / run.wall_s:.2f} ("
          + ", ".join(f"{role} {s / run.wall_s:.2f}" for role, s in sorted(ours.items()))
          + f"); fixture server {run.cpu_s.get('fixture server', 0) / run.wall_s:.2f}")  # fmt: skip
    print(
        f"  CPU per page {1000 * cpu_total / run.pages:.1f} ms, bare trafilatura "
        f"{1000 * bare_cpu:.1f} ms ({cpu_total / run.pages / bare_cpu:.2f}x)"
    )
    print(
        f"  peak memory: {run.peak_pss / 2**20:.0f} MB (PSS, all processes of the run), "
        f"largest process {run.peak_rss / 2**20:.0f} MB (RSS)"
    )
    print(
        f"  stored: {', '.join(f'{k} {v:,}' for k, v in run.stored.items())}; "
        f"pages through the store stage {stored_pages:,}"
    )
    steps = run.times.get("steps", {})
    if steps:
        print("  store steps, ms per page that reached them, wall and CPU (pages):")
        for name, (count, seconds, cpu_s) in steps.items():
            print(f"    {name:28} {1000 * seconds / count:8.2f} {1000 * cpu_s / count:8.2f}"
                  f"  ({count:,})")  # fmt: skip
    curve = tenths(run.times.get("pages", []))
    if curve:
        print("  store ms/page per tenth: " + " ".join(f"{t:.1f}" for t in curve)
              + f"   (last / first {curve[-1] / curve[0]:.2f})")  # fmt: skip
    print(f"  load average before / after: {run.load[0]} / {run.load[1]}", flush=True)
    return {
        "setup": run.setup, "pages": run.pages, "wall_s": run.wall_s, "pages_per_s": rate,
        "bare": bare, "ratio": rate / bare_rate, "cpu_s": run.cpu_s,
        "cores_used": cpu_total / run.wall_s, "cpu_ms_per_page": 1000 * cpu_total / run.pages,
        "peak_pss_mb": run.peak_pss / 2**20, "peak_rss_mb": run.peak_rss / 2**20,
        "stored": run.stored, "store_steps": steps, "store_tenths_ms": curve,
        "load": run.load, "stopped": run.stopped,
    }  # fmt: skip


def versions() -> str:
    import sqlite3

    commit = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()  # fmt: skip
    names = ("trafilatura", "sqlalchemy", "lxml")
    return (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}, Python "
            f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            + ", ".join(f"{n} {version(n)}" for n in names)
            + f", {os.cpu_count()} cores")  # fmt: skip


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--as-wirebrief":
        as_wirebrief(sys.argv[2], sys.argv[4:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="doj")
    parser.add_argument("--pages", default="1000", help="comma list of sizes")
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", default="1,2,4", help="PostgreSQL workers, comma list")
    parser.add_argument("--bare-pages", type=int, default=1000,
                        help="bare trafilatura's sample of the pages (evenly spaced)")  # fmt: skip
    parser.add_argument("--max-memory-gb", type=float, default=8.0,
                        help="stop a run whose processes pass this much memory")  # fmt: skip
    parser.add_argument("--keep", type=Path, help="keep databases and logs in this folder")
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args()
    if args.engine == "postgres" and not os.environ.get("WIREBRIEF_TEST_POSTGRES_URL"):
        raise SystemExit('PostgreSQL: eval "$(scripts/test-postgres.sh start)" first')
    print(versions())
    results = []
    for size in (int(x) for x in args.pages.split(",")):
        corpus = CORPORA[args.corpus](size)
        server, base = serve(corpus, args.feeds)
        count = min(args.bare_pages, corpus.size)
        sample = sorted({round(k * (corpus.size - 1) / max(1, count - 1)) for k in range(count)})
        print(
            f"\ncorpus {corpus.name}: {corpus.size:,} pages in {args.feeds} feeds; bare "
            f"trafilatura on {len(sample):,} of them; load {load_average()}",
            flush=True,
        )
        setups: list[Callable[[Path], Run]] = (
            [partial(run_sqlite, corpus, server, base, args)]
            if args.engine == "sqlite"
            else [
                partial(run_postgres, corpus, server, base, args, workers=int(n))
                for n in args.workers.split(",")
            ]
        )
        for setup in setups:
            tmp = Path(tempfile.mkdtemp(prefix="wirebrief-ingest-", dir=args.keep))
            before = bare_trafilatura(corpus, sample)
            run = setup(tmp)
            after = bare_trafilatura(corpus, sample)
            figures = report(run, [before, after])
            figures["corpus"] = corpus.name
            results.append(figures)
            if args.keep is None:
                subprocess.run(["rm", "-rf", str(tmp)], check=False)
        server.terminate()
    if args.json:
        args.json.write_text(json.dumps({"versions": versions(), "runs": results}, indent=1))


if __name__ == "__main__":
    main()
