"""Offline entity heuristics: names from capitalisation, numbers with units, dates.

What tells two earthquakes apart is where, when and how strong, never the word
"earthquake". These rules find those identifiers cheaply (regular expressions, one pass,
no model): capitalised word sequences that are names in this document, money, percentages,
numbers with the noun they count, and calendar dates.

Capitalisation is only trusted where it is informative: mid-sentence in running text.
A capitalised word at a sentence start, after a quote, or in a Title Case headline counts
as a name only if the same document capitalises it mid-sentence, or if it is too rare to be
a common word (and is never written in lowercase in the document).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

from wirebrief.stories.lexicon import MONTHS, WEEKDAYS, Lexicon, stem, wordset

_WORD = re.compile(r"[^\W\d_][\w]*(?:['’.&][^\W_]+)*", re.UNICODE)
# Characters between two words that end a sentence (or open a quote) before the second.
_BOUNDARY = re.compile(r"[.!?:\n\"“”‘(\[|•–—]")
# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = wordset(
    "mr mrs ms dr prof st lt capt col gen sgt sen rep gov pres jr sr inc co corp ltd no vs "
    "ft mt u.s u.k u.n a.m p.m e.g i.e"
)
# Lowercase words allowed inside a name: "Bank of America", "Lorenzo de Medici".
_CONNECTORS = wordset("of de du da di del la le van von der den al bin y")
# A name's last word keys it unless it is this common ("Center", "Bank", "Police").
KEY_WORD_MAX_ZIPF = 4.5
# Characters that may sit between two words of one name ("Coca-Cola", "AT & T").
_NAME_GAP = re.compile(r"^(?:\s+|\s*[-&]\s*)$")
# After an initial or a title a full stop does too ("Brian G. Nichols", "St. Louis").
_INITIAL_GAP = re.compile(r"^\.\s+$")

# Numbers: the lossy "12. 5 million", "7: 15" and "1, 200" of tokenised corpora are joined
# first, so "12.5 million" and "12. 5 million" give the same entity.
_SPLIT_NUMBER = (
    (re.compile(r"(?<![\d.,])(\d{1,3})\. (\d)"), r"\1.\2"),
    (re.compile(r"(?<![\d.,])(\d{1,3}), (\d{3})(?!\d)"), r"\1,\2"),
    (re.compile(r"(?<![\d.,:])(\d{1,2}): (\d\d)(?!\d)"), r"\1:\2"),
)
_SPLIT_ANY = re.compile(r"\d[.,:] \d")
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?\s?m\.?)?", re.IGNORECASE)
_MONEY = re.compile(
    r"(?P<cur>[$€£¥])\s?(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*"
    r"(?P<scale>trillion|billion|million|thousand|bn|mn|tn|[kmb](?![\w]))?",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*(?:%|per\s?cent\b)", re.IGNORECASE)
_NUMBER_UNIT = re.compile(
    r"(?<![\w.$€£¥])(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)(?:\s*-\s*|\s+)(?P<unit>[^\W\d_]{3,})",
    re.UNICODE,
)
_NUMBER = re.compile(r"(?<![\w.$€£¥])\d+(?:,\d{3})*(?:\.\d+)?(?![\w%])")
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
# "March 5", "March 5, 2013" and "March 2013" in one pass: day, year or both. The
# lookahead lets the scan skip most positions before trying twenty month names.
_DATE_MDY = re.compile(
    rf"(?=[JFMASONDjfmasond])\b(?P<month>{_MONTH_NAMES})\.?(?:\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b)?"
    rf"(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?",
    re.IGNORECASE,
)
_DATE_DMY = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH_NAMES})\.?"
    rf"(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})\s?/\s?(\d{1,2})\s?/\s?((?:19|20)?\d\d)\b")
_ISO_DATE = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")
_YEAR = re.compile(r"(?<![\d$€£¥.,])(?:19|20)\d\d(?![\d%])")
_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
# Counted nouns that say nothing about which event it was ("3 people", "10 years").
_GENERIC_UNITS = wordset(
    "people person persons times year years month months day days week weeks hour hours "
    "minute minutes percent per and or the to of in on at for from with by more than other "
    "others"
)


class Token(NamedTuple):
    """A word and what its position says about its capitalisation."""

    text: str
    gap: str  # the characters between the previous word of the line and this one
    ambiguous: bool  # capitalised for grammar (sentence start, headline), not as a name


def tokens(text: str) -> list[Token]:
    """Words of one text, each flagged when its capitalisation carries no information."""
    out: list[Token] = []
    for line in text.split("\n"):
        headline = _is_headline(line)
        prev_end = 0
        prev_word = ""
        for match in _WORD.finditer(line):
            word, (start, end) = match.group(), match.span()
            gap = line[prev_end:start] if prev_word else "\n"
            boundary = not prev_word or (gap != " " and _BOUNDARY.search(gap) is not None)
            if boundary and gap.strip() == "." and _is_abbreviation(prev_word):
                boundary = False
            out.append(Token(word, gap, boundary or headline))
            prev_end, prev_word = end, word
    return out


def _is_abbreviation(word: str) -> bool:
    return len(word) == 1 or word.lower() in _ABBREVIATIONS


def _is_headline(line: str) -> bool:
    """Title Case or ALL CAPS lines: every word is capitalised, so none is known to be a name.

    A headline has no closing full stop; a sentence full of names ("She went to the Betty
    Ford Center on Friday.") has one.
    """
    if line.rstrip().endswith("."):
        return False
    words = [w for w in _WORD.findall(line) if len(w) > 3]
    if len(words) < 3:
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised >= 0.8 * len(words)


def _is_acronym(word: str) -> bool:
    letters = word.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 5 and letters.isupper() and letters.isalpha()


def _normal(word: str) -> str:
    """Lowercase, without possessive and dots: "Reid's" -> "reid", "U.S." -> "us"."""
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    elif word.endswith(("'", "’")):
        word = word[:-1]
    return word.replace(".", "").lower()


def name_entities(toks: list[Token], lex: Lexicon) -> tuple[Counter[str], set[str]]:
    """Names this document uses, each keyed by one word; and which of the keys are acronyms.

    A name is a maximal run of capitalised words ("Wladimir Klitschko", "Bank of America").
    Its key is its last word, as news writing refers to people by surname ("Klitschko"), unless
    that word is common ("Center", "Bank", "Police"): then its rarest word ("Betty Ford
    Center" -> "betty"). One key per name keeps a protagonist named in full and by surname
    from counting twice.
    """
    lowercase_seen = {t.text.lower() for t in toks if not t.text[0].isupper()}
    trusted = {_normal(t.text) for t in toks if not t.ambiguous and t.text[0].isupper()}

    def is_name(tok: Token) -> bool:
        if not tok.text[0].isupper():
            return False
        word = _normal(tok.text)
        if len(word) < 2 or word in WEEKDAYS or word in MONTHS or lex.is_stopword(word):
            return False
        if not tok.ambiguous or word in trusted:
            return True
        # "Halts" in a headline is a verb: a listed stem gives it away.
        return (
            word not in lowercase_seen and not lex.is_listed(word) and not lex.is_listed(stem(word))
        )

    found: Counter[str] = Counter()
    acronyms: set[str] = set()
    run: list[Token] = []
    connector = False  # a lowercase "of" between two names keeps the run open
    prev = ""
    for tok in toks:
        if not run and not tok.text[0].isupper():
            prev = tok.text  # the common case: a lowercase word outside any name
            continue
        joined = bool(run) and (
            tok.gap == " "
            or _NAME_GAP.match(tok.gap) is not None
            or (_INITIAL_GAP.match(tok.gap) is not None and _is_abbreviation(prev))
        )
        prev = tok.text
        if is_name(tok):
            if not joined:
                _emit(run, lex, found, acronyms)
                run = []
            run.append(tok)
            connector = False
        elif joined and not connector and tok.text in _CONNECTORS:
            connector = True
        elif joined and len(tok.text) == 1 and tok.text.isupper():
            continue  # a middle initial: "Brian G. Nichols" is one name
        else:
            _emit(run, lex, found, acronyms)
            run, connector = [], False
    _emit(run, lex, found, acronyms)
    return found, acronyms


def _emit(run: list[Token], lex: Lexicon, found: Counter[str], acronyms: set[str]) -> None:
    if not run:
        return
    words = [_normal(t.text) for t in run]
    index = len(words) - 1
    if lex.zipf(words[index]) >= KEY_WORD_MAX_ZIPF:
        index = max(range(len(words)), key=lambda i: (lex.rarity(words[i]), words[i]))
    found[words[index]] += 1
    if _is_acronym(run[index].text):
        acronyms.add(words[index])


def numeric_entities(text: str, lex: Lexicon) -> Counter[str]:
    """Money, percentages, counted nouns, plain numbers and dates, in canonical form."""
    if _SPLIT_ANY.search(text):
        for pattern, joined in _SPLIT_NUMBER:
            text = pattern.sub(joined, text)
    found: Counter[str] = Counter()

    # The day of a date is counted with its month, not again as a plain number.
    def date(match: re.Match[str]) -> str:
        return _add_date(found, match)

    text = _DATE_DMY.sub(date, _DATE_MDY.sub(date, text))
    for match in _NUMERIC_DATE.finditer(text):
        month, day, year = int(match[1]), int(match[2]), match[3]
        if 1 <= month <= 12 and 1 <= day <= 31:
            year = year if len(year) == 4 else f"20{year}"
            found[f"{month:02d}-{day:02d}"] += 1
            found[f"{year}-{month:02d}"] += 1
    for match in _ISO_DATE.finditer(text):
        found[f"{match[2]}-{match[3]}"] += 1
        found[f"{match[1]}-{match[2]}"] += 1
    text = _TIME.sub(" ", _ISO_DATE.sub(" ", _NUMERIC_DATE.sub(" ", text)))
    for match in _YEAR.finditer(text):
        found[match.group()] += 1
    for match in _MONEY.finditer(text):
        value = _number(match["num"])
        if value is None:
            continue
        scale = (match["scale"] or "").lower()
        found[match["cur"] + _short(value * _SCALES.get(scale, 1.0))] += 1
    for match in _PERCENT.finditer(text):
        found[_plain(match["num"]) + "%"] += 1
    money_or_percent = _MONEY.sub(" ", _PERCENT.sub(" ", text))
    counted: set[int] = set()
    for match in _NUMBER_UNIT.finditer(money_or_percent):
        unit = match["unit"].lower()
        # A counted noun is specific ("1,200 jobs", "7.6 magnitude"); "33 who" is not.
        if unit in _GENERIC_UNITS or unit in MONTHS or unit in _SCALES or lex.zipf(unit) >= 5:
            continue
        value = _number(match["num"])
        if value is not None and not _is_year(match["num"]):
            found[f"{_plain(match['num'])} {unit.rstrip('s')}"] += 1
            counted.add(match.start())
    for match in _NUMBER.finditer(money_or_percent):
        raw = match.group()
        if match.start() in counted:
            continue  # already counted with its noun: "1,200 jobs" is one identifier
        value = _number(raw)
        # Small integers ("three", "2") and years are too common to identify an event.
        if value is None or _is_year(raw) or (value < 20 and "." not in raw):
            continue
        found[_plain(raw)] += 1
    return found


def _add_date(found: Counter[str], match: re.Match[str]) -> str:
    """Count a day key ("03-05") and a month key ("2013-03"); what stays of the date's text.

    Only the year stays, for the year count: the day must not count again as a number.
    """
    day = int(match["day"]) if match["day"] else 0
    if (not day and not match["year"]) or day > 31:
        return match.group()
    month = MONTHS[match["month"].lower()]
    if match["year"]:
        found[f"{match['year']}-{month:02d}"] += 1
    if not day:
        return match.group()
    found[f"{month:02d}-{day:02d}"] += 1
    return f" {match['year'] or ''} "


def _is_year(raw: str) -> bool:
    return len(raw) == 4 and raw.isdigit() and raw[:2] in {"19", "20"}


def _number(raw: str) -> float | None:
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        return None


def _plain(raw: str) -> str:
    """ "1,200" -> "1200", "4.50" -> "4.5": one spelling per number."""
    value = _number(raw)
    if value is None:
        return raw
    return f"{value:g}" if value < 1e15 else raw.replace(",", "")


def _short(value: float) -> str:
    """41_000_000 -> "41m", 71.3e9 -> "71.3b": amounts compared at three significant digits."""
    for suffix, scale in (("t", 1e12), ("b", 1e9), ("m", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"
