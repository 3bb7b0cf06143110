"""Make a source sentence stand alone as a bullet, by deletion only.

Datelines, "Scroll down for video", picture asides and (in English) attribution clauses and
leading connectives are cut; nothing is added or reworded except the first letter's case.
Quotations keep their speaker: a quote without its source would mislead.

A bullet still over its word budget loses asides next (parentheses, dashes, and in English
non-restrictive "who"/"which" clauses and appositives after a name), least informative
first; an aside holding a number is kept, since numbers are what news readers come for.
"""

from __future__ import annotations

import re

from wirebrief.summarize.language import base_language

_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z .,'’-]{1,40}\s*)?\((?:AP|AFP|Reuters|CNN|Bloomberg|dpa|UPI)\)\s*[-–—]*\s*"
    r"|^[A-Z][A-Z .'’-]{2,30}\s*[-–—]{1,2}\s+(?=[A-Z])"
)
_PROMPTS = re.compile(r"^(?:scroll down (?:for|to) (?:video|watch)|click here|watch)[.:]?\s+", re.I)
_ASIDE = re.compile(
    r"\s*\((?:pictured|file photo|file|left|right|centre|center|above|below|top|bottom|inset)"
    r"(?:,? (?:left|right|centre|center|above|below))?\)",
    re.I,
)
_QUOTES = re.compile(r"[\"“”«»]|(?:^|\s)['‘][A-Z]")

# English attribution and connectives; the clause must be short, so a claim is never cut.
_REPORTING = r"(?:said|says|told|added|reported|reports|claimed|claims|stated|explained|noted)"
_SPEAKER = r"(?:[\w’'.-]+\s+){0,5}?[\w’'.-]+"
# ", a Tesla vice president": with a determiner, or it may be the sentence's own subject
# ("According to the complaint, Jo Ray and Lee Kim, through a shell company, …").
_APPOSITIVE = rf"(?:,\s+(?:a|an|the|his|her|its|their)\s+{_SPEAKER})?"
_WHERE = r"(?:\s+(?:on|in|at|to|during|last|this)\s+[\w’'.-]+(?:\s+[\w’'.-]+){0,3})?"
_EN_ATTRIBUTION_END = re.compile(
    rf",\s+(?:{_SPEAKER}\s+{_REPORTING}|(?:{_REPORTING}|according\s+to)\s+{_SPEAKER}{_APPOSITIVE})"
    rf"{_WHERE}(?=[.!?]?$)",
    re.I,
)
_EN_ATTRIBUTION_MID = re.compile(rf",\s+(?:{_SPEAKER}\s+{_REPORTING}|according to {_SPEAKER}),\s+")
_EN_ACCORDING_START = re.compile(rf"^according to {_SPEAKER}{_APPOSITIVE},\s+", re.I)
# Connectives that are only ever connectives go with or without a comma; words that can
# also be part of the sentence ("Also charged were…", "In addition to…") only before one.
_EN_CONNECTIVE = re.compile(
    r"^(?:(?:however|but|and|moreover|furthermore|additionally)\b,?|(?:meanwhile|also|still|"
    r"yet|instead|in addition|separately|elsewhere|overall|now),)\s+",
    re.I,
)
# Press releases end their lead on who announced it: ", announced Acting Assistant Attorney
# General John P. Cronan of the Criminal Division and U.S. Attorney …". The tail goes when
# it holds only names, titles and offices (capitalised words and these joining words).
_EN_CREDIT_TAIL = re.compile(
    r",\s+(?:announced|said|according to)\s+"
    r"(?P<who>[A-Z][^;:!?\"“”]*)$"
)
_NAME_JOINERS = frozenset(
    re.findall(r"\w+", "of the for and in at on de da di du la le van von der s")
)
# "The Justice Department today announced that …": the announcer before what was announced.
_EN_ANNOUNCED_THAT = re.compile(
    r"^(?:today,?\s+|on \w+,?\s+)?(?:the\s+)?(?:[A-Z][\w.’'&-]*\s+(?:of\s+(?:the\s+)?)?){1,6}"
    r"(?:today\s+|on \w+\s+)?announced(?:\s+today|\s+on \w+)?\s+that\s+"
    r"(?!(?:it|he|she|they|we|its|his|her|their|this|these|those)\b)(?=[\w\"“])",
    re.I,
)
MIN_WORDS_LEFT = 6

# Where a long sentence may end early without changing what the kept part says: before an
# elaboration ("which", "who", a participle, a dash). "But" and "although" clauses qualify
# the claim and "after", "when", "as" ones often carry the event itself, so they stay.
_CLAUSE_BREAK = re.compile(r"\s[-–—]\s|;\s|,\s(?=(?:which|who)\s|[a-z]{3,}ing\s)")
_SPACED_DASH = re.compile(r"\s[-–—]\s")
MIN_KEPT_WORDS = 8
# Words a sentence cannot end on: articles, prepositions, conjunctions, auxiliaries.
_NEEDS_MORE = frozenset(re.findall(r"\w+", (
    "a an the that which who whom whose of to in on at by for with from into and or but nor "
    "as than is are was were be been has have had will would can could may might must "
    "its his her their our my your this these those"
)))  # fmt: skip
# A headline is one line: it may also end before a clause of time, cause or circumstance
# ("…, as lending grew", "… after a two-week trial"), which a bullet keeps. Words that are
# also prepositions ("as a trooper", "since 2015") count only after a comma.
HEADLINE_BREAK = re.compile(
    _CLAUSE_BREAK.pattern + r"|,\s(?=(?:as|when|while|because|since|including)\s)"
    r"|,?\s(?=(?:after|amid|following|despite|before|until|according to)\s)"
)

# Asides a sentence reads correctly without, in the order they are given up; what a rule
# matches is replaced by its "keep" group.
_ASIDES = (
    re.compile(r"\s*\([^()\d]{1,80}\)(?P<keep>)"),  # (management), (pictured)
    re.compile(r"\s[-–—]\s[^-–—\d]{1,100}?\s[-–—](?P<keep>\s)"),  # " - and out of the way - "
)
# Comma asides in English: a "who"/"which" clause, or an appositive after a name ("Ben
# Elton, the comedian, said"). Each match is checked by ``_sure_aside_end`` before it goes.
_EN_COMMA_ASIDES = (
    re.compile(r",\s(?:who|which|whose)\s[^,\d]{1,100},(?P<keep>\s)"),
    re.compile(
        r"(?<!\band )(?<!\bor )(?<!, )(?P<keep>\b[A-Z][\w’'-]*),\s(?:a|an|the|his|her|their|"
        r"its)\s[^,\d]{1,100},(?=\s)"
    ),
)
# After an aside that surely ends at its comma comes a lowercase word that goes on with the
# sentence ("said", "has"); these go on with a list instead.
_LIST_WORDS = frozenset(re.findall(r"\w+", "and or nor but as plus"))
_WORDS_WITHOUT_COMMA = 3


def trim_sentence(sentence: str, lang: str | None = None) -> str:
    """The sentence without datelines, asides and, in English, attribution and connectives."""
    text = _PROMPTS.sub("", _DATELINE.sub("", sentence.strip()))
    text = _ASIDE.sub("", text)
    if base_language(lang) in (None, "en") and not _QUOTES.search(text):
        text = _trim_english(text)
    if len(text.split()) < MIN_WORDS_LEFT:
        return sentence.strip()
    return text[:1].upper() + text[1:]


def drop_asides(sentence: str, max_words: int, lang: str | None = None) -> str:
    """The sentence without asides, least informative first, until it fits ``max_words``.

    A comma aside goes only where its end is sure (``_sure_aside_end``): in "a startup
    based in Boulder, Colorado, said" the first comma may not end it, so nothing is cut.
    """
    english = base_language(lang) in (None, "en")
    text = sentence
    for rule in _ASIDES + (_EN_COMMA_ASIDES if english else ()):
        if len(text.split()) <= max_words:
            break
        if rule in _EN_COMMA_ASIDES:
            shorter = rule.sub(lambda m: m["keep"] if _sure_aside_end(m) else m[0], text)
        else:
            shorter = rule.sub(r"\g<keep>", text)
        if len(shorter.split()) >= MIN_WORDS_LEFT and pairs_up(shorter) == pairs_up(text):
            text = shorter
    return text


def _sure_aside_end(match: re.Match[str]) -> bool:
    """Whether a comma aside surely ends at its closing comma: a lowercase word that is not
    a list's "and"/"or" follows, and no comma comes within a few words after it or before
    it (either would make it an item of a list: "Hayes, Mayor Jo Durkan, the Wales family,
    the …")."""
    rest = match.string[match.end() :].split()
    if not rest or not rest[0][:1].islower() or rest[0].strip(",") in _LIST_WORDS:
        return False
    before = match.string[: match.start()].split()[-_WORDS_WITHOUT_COMMA - 1 :]
    return not any(word.endswith(",") for word in rest[:_WORDS_WITHOUT_COMMA] + before)


def _trim_english(text: str) -> str:
    trimmed = _EN_ACCORDING_START.sub("", text)
    trimmed = _EN_ANNOUNCED_THAT.sub("", trimmed)
    trimmed = _without_credit_tail(trimmed)
    trimmed = _EN_ATTRIBUTION_MID.sub(", ", trimmed)
    trimmed = _EN_ATTRIBUTION_END.sub("", trimmed)
    trimmed = _EN_CONNECTIVE.sub("", trimmed)
    if trimmed != text and trimmed[-1:] not in ".!?":
        trimmed += "."
    return trimmed


def pairs_up(text: str) -> bool:
    """Brackets and double quotes open and close within ``text``: it is no piece of a longer
    quotation or parenthesis, which could not stand alone."""
    return (
        text.count("(") == text.count(")")
        and text.count("“") == text.count("”")
        and text.count('"') % 2 == 0
    )


def _reads_whole(kept: str, max_words: int) -> bool:
    """Whether the start of a sentence can stand as one: 8 words or more (within the
    budget), not ending on a word that needs more ("a service that."), and holding a
    lowercase word besides those, as a verb is ("The Great Lakes Retirement Fund." is no
    sentence)."""
    words = kept.rstrip(" ,;:-–—").split()
    if not MIN_KEPT_WORDS <= len(words) <= max_words or not pairs_up(kept):
        return False
    if words[-1].lower() in _NEEDS_MORE:
        return False
    return any(word.isalpha() and word.islower() and word not in _NEEDS_MORE for word in words)


def _without_credit_tail(text: str) -> str:
    """The sentence without a closing ", announced <names and titles>"."""
    match = _EN_CREDIT_TAIL.search(text.rstrip(". "))
    if match is None:
        return text
    who = re.findall(r"[\w’'.&-]+", match.group("who"))
    if all(word[0].isupper() or word.lower() in _NAME_JOINERS for word in who):
        return text[: match.start()]
    return text


def shorten(sentence: str, max_words: int, breaks: re.Pattern[str] = _CLAUSE_BREAK) -> str:
    """The sentence, ended at its last clause break within ``max_words`` when it is longer,
    where what is kept reads as a sentence (``_reads_whole``: no fragment, no open quote)."""
    if len(sentence.split()) <= max_words:
        return sentence
    # Two spaced dashes enclose an aside ("a service that - until now - has"): no cut there.
    paired = len(_SPACED_DASH.findall(sentence)) > 1
    cuts = [m.start() for m in breaks.finditer(sentence)
            if not (paired and _SPACED_DASH.match(sentence, m.start()))]  # fmt: skip
    fitting = [b for b in cuts if _reads_whole(sentence[:b], max_words)]
    if not fitting:
        return sentence
    return sentence[: fitting[-1]].rstrip(" ,;:-–—") + "."
