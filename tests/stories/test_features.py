"""Unit tests for story features: words, names, amounts, dates, weights, JSON, languages."""

from __future__ import annotations

import json
import math

import pytest

from wirebrief.stories.entities import name_entities, numeric_entities, tokens
from wirebrief.stories.features import (
    LEAD_CHARS,
    MAX_ENTITIES,
    MAX_TERMS,
    NAME_RARITY_FLOOR,
    StoryFeatures,
    article_features,
    lead,
)
from wirebrief.stories.lexicon import lexicon, primary_language, stem

EN = lexicon("en")


def names(text: str) -> set[str]:
    return set(name_entities(tokens(text), EN)[0])


def numbers(text: str) -> set[str]:
    return set(numeric_entities(text, EN))


def norm(weights: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in weights.values()))


# ── names ────────────────────────────────────────────────────────────────────


def test_a_person_is_keyed_by_surname_whether_named_in_full_or_not() -> None:
    assert names("A publicist says Tara Reid has checked into rehab.") == {"reid"}
    assert names("Later, Reid's representative spoke.") == {"reid"}


def test_a_name_ending_in_a_common_word_is_keyed_by_its_rarest_word() -> None:
    # "Center" and "clinic" differ; the identifying word is the same.
    assert names("She went to the Betty Ford Center on Friday.") == {"betty"}
    assert names("She entered the Betty Ford clinic.") == {"betty"}


def test_sentence_initial_capitals_are_not_names_unless_the_text_confirms_them() -> None:
    found = names("Another day in Hollywood. Another star in rehab.")
    assert found == {"hollywood"}
    # "Korvex" opens a sentence but is no English word: a name.
    assert "korvex" in names("Korvex halted withdrawals early on Monday.")


def test_title_case_headline_words_need_confirmation() -> None:
    text = "Lindsay Lohan Checks Into Rehab at Betty Ford\nActress Lindsay Lohan checked in."
    found = names(text)
    assert "lohan" in found
    assert not found & {"checks", "rehab", "actress", "into"}


def test_weekdays_months_and_stopwords_are_not_names() -> None:
    assert names("The vote is on Monday, said officials in May. It was The End.") == {"end"}


def test_acronyms_are_names_but_weigh_half() -> None:
    found, acronyms = name_entities(tokens("The FBI and the agent Zumbrun arrived."), EN)
    assert set(found) == {"fbi", "zumbrun"}
    assert acronyms == {"fbi"}
    features = article_features("", "The FBI and the agent Zumbrun arrived.")
    assert features.entities["fbi"] < features.entities["zumbrun"]


def test_initials_and_titles_stay_inside_a_name() -> None:
    assert names("The man, Brian G. Nichols, 37, was sentenced.") == {"nichols"}


# ── amounts and dates ────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Attackers took $41 million.", "$41m"),
        ("Attackers took $41M overnight.", "$41m"),
        ("Revenue was $71.3 billion.", "$71.3b"),
        ("A $ 12. 5 million deal.", "$12.5m"),  # lossy tokenisation of a corpus
        ("Gold rose 2.4% on Monday.", "2.4%"),
        ("Gold rose 2.4 percent on Monday.", "2.4%"),
        ("It will cut 1,200 jobs.", "1200 job"),
        ("A 7.6-magnitude quake.", "7.6 magnitude"),
    ],
)
def test_amounts_have_one_spelling(text: str, key: str) -> None:
    assert key in numbers(text)


def test_a_counted_number_is_not_also_counted_bare() -> None:
    assert numbers("It will cut 1,200 jobs.") == {"1200 job"}


def test_small_numbers_years_and_times_are_not_amounts() -> None:
    found = numbers("Three of the 12 men met at 4:59 PM in 2013.")
    assert found == {"2013"}


@pytest.mark.parametrize(
    "text", ["on May 2, 2013", "on 2 May 2013", "on Thu May 2nd, 2013", "05 / 02 / 2013"]
)
def test_dates_have_one_spelling(text: str) -> None:
    assert {"05-02", "2013-05"} <= numbers(text)


def test_a_day_without_a_year_still_matches_the_day() -> None:
    assert numbers("The fight is on July 7.") == {"07-07"}


def test_a_month_and_year_without_a_day_match_the_month() -> None:
    assert numbers("The vote is due in March 2013.") == {"2013-03", "2013"}


def test_the_day_of_a_date_is_not_also_a_plain_number() -> None:
    assert numbers("21 July 2013 Last updated at 11: 11 GMT") == {"07-21", "2013-07", "2013"}


def test_a_year_before_a_comma_is_a_year_not_a_counted_noun() -> None:
    assert numbers("Monday, 28 November 2005, Tehran") == {"11-28", "2005-11", "2005"}


# ── terms and weights ────────────────────────────────────────────────────────


def test_stemming_folds_inflections_without_merging_words() -> None:
    assert stem("checks") == stem("checked") == stem("checking") == "check"
    assert stem("stopped") == stem("stops") == "stop"
    assert stem("explodes") == stem("exploded")
    assert stem("killed") == "kill"
    assert stem("staffed") == stem("staff")


def test_features_are_unit_vectors_without_stopwords() -> None:
    features = article_features("Quake hits Lisbon", "The quake hit Lisbon and it was said.")
    assert norm(features.terms) == pytest.approx(1.0)
    assert norm(features.entities) == pytest.approx(1.0)
    assert not {"the", "and", "it", "was", "said"} & set(features.terms)
    assert stem("quake") in features.terms
    assert f"{stem('quake')} hit" in features.terms  # adjacent content words form a phrase


def test_rare_words_outweigh_common_ones() -> None:
    features = article_features("", "The earthquake damaged a building.")
    assert features.terms[stem("earthquake")] > features.terms[stem("building")]


def test_title_words_weigh_more_than_body_words() -> None:
    features = article_features("Volcano erupts", "A glacier melted.")
    assert features.terms["volcano"] > features.terms["glacier"]


def test_features_are_bounded_however_long_the_article() -> None:
    words = " ".join(f"Name{i} met zork{i} at Place{i} for ${i + 20} million." for i in range(400))
    features = article_features("A long one", words)
    assert len(features.terms) <= MAX_TERMS
    assert len(features.entities) <= MAX_ENTITIES


def test_only_the_lead_of_a_long_article_is_read() -> None:
    text = "word " * LEAD_CHARS
    assert len(lead(text)) <= LEAD_CHARS
    assert lead(text).endswith("word")  # cut at a whole word
    assert lead("short text") == "short text"
    tail = " Zarvonia reported a 9.9-magnitude quake."
    assert "zarvonia" not in article_features("", text + tail).entities


def test_common_surnames_weigh_like_rare_names() -> None:
    """A common surname ("Thompson") tells two fights apart as well as a rare one does."""
    features = article_features("", "Wladimir Klitschko beat Tony Thompson in Bern.")
    assert EN.rarity("thompson") < NAME_RARITY_FLOOR
    assert features.entities["thompson"] >= NAME_RARITY_FLOOR / EN.rarity("klitschko") * (
        features.entities["klitschko"] - 1e-9
    )


def test_features_are_deterministic() -> None:
    text = "Korvex lost $41 million on Monday, Hana Sato said."
    assert article_features("Hack", text) == article_features("Hack", text)


def test_json_round_trip() -> None:
    features = article_features("Korvex hack", "Korvex lost $41 million, Hana Sato said.")
    data = json.loads(json.dumps(features.to_json()))
    back = StoryFeatures.from_json(data)
    assert back.terms.keys() == features.terms.keys()
    assert back.entities.keys() == features.entities.keys()
    for key, weight in features.entities.items():
        assert back.entities[key] == pytest.approx(weight, abs=1e-4)
    assert data["v"] == 1


# ── languages ────────────────────────────────────────────────────────────────


def test_language_tags_reduce_to_their_primary_subtag() -> None:
    assert primary_language("en-GB") == "en"
    assert primary_language("pt_BR") == "pt"
    assert primary_language(None) == "en"


def test_other_languages_use_their_own_word_frequencies() -> None:
    features = article_features(
        "Séisme en Turquie",
        "Un séisme de magnitude 7,8 a frappé lundi le sud de la Turquie, selon Ankara.",
        "fr",
    )
    assert "séisme" in features.terms
    assert not {"de", "le", "la", "un"} & set(features.terms)
    assert {"turquie", "ankara"} <= set(features.entities)


def test_caseless_scripts_still_get_terms_and_entities() -> None:
    features = article_features("四川发生强烈地震", "北京时间今天上午四川省发生强烈地震。", "zh")
    assert "地震" in features.terms
    assert features.entities  # rare character pairs stand in for names


def test_unknown_languages_and_empty_articles_do_not_fail() -> None:
    assert article_features("", "") == StoryFeatures()
    assert article_features("Kuvhura", "Mvura yakanaya muHarare.", "sn").terms
