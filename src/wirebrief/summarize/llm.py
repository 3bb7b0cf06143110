"""The optional LLM backend: any OpenAI-compatible chat-completions endpoint.

An answer is used only after checks (JSON shape, lengths, language, every number and name
found in the article); otherwise the extractive TLDR stays and ``Tldr.note`` says why.
Requests run concurrently up to a bound (servers such as vLLM batch them), identical
requests share one call, answers are cached by a hash of model and prompt, and timeouts,
connection errors, 429 and 5xx answers are retried with backoff.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import httpx

from wirebrief.errors import LlmAnswerRejected, LlmError, LlmUnavailable
from wirebrief.settings import Settings
from wirebrief.summarize.checks import SourceFacts, facts_problem, shape_problem
from wirebrief.summarize.language import NAMES, base_language, detect_language, is_in_language
from wirebrief.summarize.sentences import split_sentences
from wirebrief.summarize.tldr import Tldr

log = logging.getLogger(__name__)

MAX_INPUT_CHARS = 12_000  # about 3,000 tokens: the lead and body of almost any article
_RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_JSON_OBJECT = re.compile(r"\{.*\}", re.S)

SYSTEM_PROMPT = """You write the TLDR of a news article for a news reader.
Reply with one JSON object and nothing else:
{{"headline": "...", "bullets": ["...", "...", "..."]}}
Rules:
- Write in {language}, the language of the article.
- headline: one sentence of at most 25 words that says what happened.
- bullets: 3 to 5 key points, each one sentence of at most 30 words, no two saying the same.
- Use only facts stated in the article. Copy every number, date and name exactly as the
  article writes it, and add none of your own.
- No opinions, no advice, no markdown, nothing outside the JSON object."""


@dataclass(frozen=True)
class LlmConfig:
    """Where the endpoint is and how patiently to ask it."""

    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float = 60.0
    retries: int = 2
    concurrency: int = 4
    backoff_s: float = 1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> LlmConfig | None:
        """The configured endpoint, or ``None`` when no base URL and model are set."""
        if not (settings.llm_base_url and settings.llm_model):
            return None
        return cls(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,
            timeout_s=settings.llm_timeout_s,
            retries=settings.llm_retries,
            concurrency=settings.llm_concurrency,
        )

    @property
    def endpoint(self) -> str:
        """The chat-completions URL under the base URL (``…/v1`` → ``…/v1/chat/completions``)."""
        return self.base_url.rstrip("/") + "/chat/completions"


@dataclass(frozen=True)
class Document:
    """What the LLM is asked to summarize."""

    title: str
    text: str
    lang: str | None = None
    url: str | None = None  # named in the logs only, never sent


class AnswerCache(Protocol):
    """Where answers are kept: the ``llm_cache`` table, or memory in tests."""

    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, model: str, response: str) -> None: ...


class LlmSummarizer:
    """Asks the endpoint for TLDRs; ``async with`` closes its HTTP client."""

    def __init__(
        self,
        config: LlmConfig,
        cache: AnswerCache | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.config = config
        self.cache = cache
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(config.timeout_s))
        self._slots = asyncio.Semaphore(config.concurrency)
        self._in_flight: dict[str, asyncio.Future[str]] = {}

    async def __aenter__(self) -> LlmSummarizer:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def summarize_many(self, items: Sequence[tuple[Document, Tldr]]) -> list[Tldr]:
        """:meth:`summarize` for many documents at once, in order."""
        return list(await asyncio.gather(*(self.summarize(doc, tldr) for doc, tldr in items)))

    async def summarize(self, doc: Document, fallback: Tldr) -> Tldr:
        """The LLM's TLDR when it passes every check, else ``fallback`` with a note why.

        The author's own TLDR always wins: it is returned unchanged.
        """
        if fallback.method == "author" or not doc.text.strip():
            return fallback
        lang = base_language(doc.lang) or detect_language(doc.text)
        try:
            tldr = parse_answer(await self.complete(build_messages(doc, lang)))
            check_answer(tldr, doc, lang)
        except LlmAnswerRejected as exc:
            log.info("llm answer not used url=%s title=%r: %s", doc.url, doc.title[:80], exc)
            return fallback.with_note(f"llm answer not used: {exc}")
        except LlmError as exc:
            log.warning("llm not used url=%s title=%r: %s", doc.url, doc.title[:80], exc)
            return fallback.with_note(f"llm: {exc}")
        return tldr

    async def complete(self, messages: list[dict[str, str]]) -> str:
        """The answer's text: from the cache, from an identical request in flight, or asked."""
        key = cache_key(self.config.model, messages)
        if self.cache is not None:
            cached = await self.cache.get(key)
            if cached is not None:
                return cached
        if key in self._in_flight:
            return await asyncio.shield(self._in_flight[key])
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            answer = await self._ask(messages)
            if self.cache is not None:
                await self.cache.put(key, self.config.model, answer)
            future.set_result(answer)
            return answer
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # marks it retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            if not future.done():
                future.cancel()
            del self._in_flight[key]

    async def _ask(self, messages: list[dict[str, str]]) -> str:
        """One chat completion, retried on timeouts, connection errors, 429 and 5xx."""
        headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        body = {"model": self.config.model, "messages": messages, "temperature": 0}
        attempts = self.config.retries + 1
        problem = "no answer"
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(self.config.backoff_s * 2 ** (attempt - 1))
            try:
                async with self._slots:
                    response = await self._client.post(
                        self.config.endpoint, json=body, headers=headers
                    )
            except httpx.TimeoutException:
                problem = f"timed out after {self.config.timeout_s:g} s"
                continue
            except httpx.TransportError as exc:
                problem = f"cannot reach {self.config.endpoint} ({exc.__class__.__name__})"
                continue
            if response.status_code in _RETRY_STATUS:
                problem = f"{self.config.endpoint} answered {response.status_code}"
                continue
            if response.status_code != 200:
                raise LlmError(
                    f"{self.config.endpoint} answered {response.status_code}; check "
                    "WIREBRIEF_LLM_BASE_URL, WIREBRIEF_LLM_MODEL and WIREBRIEF_LLM_API_KEY"
                )
            return _message_content(response)
        raise LlmUnavailable(f"{problem} ({attempts} tries)")


def build_messages(doc: Document, lang: str | None) -> list[dict[str, str]]:
    """The strict prompt: system rules, then title and (a sentence-bounded start of) text."""
    language = NAMES.get(lang or "", "the same language as the article")
    return [
        {"role": "system", "content": SYSTEM_PROMPT.format(language=language)},
        {"role": "user", "content": f"Title: {doc.title}\n\nArticle:\n{_clip(doc.text)}"},
    ]


def cache_key(model: str, messages: list[dict[str, str]]) -> str:
    """SHA-256 of model and prompt: a changed prompt or model never reuses an old answer."""
    payload = json.dumps([model, messages], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def parse_answer(answer: str) -> Tldr:
    """The answer as a TLDR; :class:`LlmAnswerRejected` when it is not one."""
    match = _JSON_OBJECT.search(answer)  # tolerate ```json fences and a polite preamble
    if match is None:
        raise LlmAnswerRejected("the answer is not a JSON object")
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError as exc:
        raise LlmAnswerRejected("the answer is not valid JSON") from exc
    headline = data.get("headline") if isinstance(data, dict) else None
    bullets = data.get("bullets") if isinstance(data, dict) else None
    if not isinstance(headline, str) or not isinstance(bullets, list):
        raise LlmAnswerRejected('the answer lacks "headline" or "bullets"')
    if not all(isinstance(bullet, str) for bullet in bullets):
        raise LlmAnswerRejected("a bullet is not a string")
    cleaned = tuple(" ".join(bullet.split()) for bullet in bullets)
    return Tldr(" ".join(headline.split()), cleaned, "llm")


def check_answer(tldr: Tldr, doc: Document, lang: str | None) -> None:
    """Raise :class:`LlmAnswerRejected` unless shape, language and facts are right."""
    problem = shape_problem(tldr)
    if problem is None and not is_in_language(" ".join((tldr.headline, *tldr.bullets)), lang):
        problem = f"it is not written in {NAMES.get(lang or '', lang)}"
    problem = problem or facts_problem(tldr, SourceFacts.of(doc.title, doc.text), lang)
    if problem is not None:
        raise LlmAnswerRejected(problem)


def _clip(text: str) -> str:
    """The text up to MAX_INPUT_CHARS, ending at a sentence boundary."""
    if len(text) <= MAX_INPUT_CHARS:
        return text
    kept: list[str] = []
    size = 0
    for sentence in split_sentences(text):
        size += len(sentence.text) + 1
        if size > MAX_INPUT_CHARS:
            break
        kept.append(sentence.text)
    return " ".join(kept) or text[:MAX_INPUT_CHARS]


def _message_content(response: httpx.Response) -> str:
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LlmError("the endpoint's answer is not a chat completion") from exc
    if not isinstance(content, str):
        raise LlmError("the endpoint's answer has no text")
    return content
