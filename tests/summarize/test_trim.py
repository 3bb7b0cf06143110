"""Bullets by deletion only: attribution, datelines and asides cut; numbers and claims kept."""

from __future__ import annotations

from wirebrief.summarize.trim import drop_asides, shorten, trim_sentence


def test_attribution_and_connectives_are_trimmed_but_quotes_keep_their_speaker() -> None:
    said = "Revenue climbed to $18.6 billion in the quarter, the company said in a statement."
    assert trim_sentence(said, "en") == "Revenue climbed to $18.6 billion in the quarter."
    assert trim_sentence("Revenue rose to $18.6 billion, it said.", "en") == (
        "Revenue rose to $18.6 billion, it said."  # too little would be left
    )
    okafor = "According to Maria Okafor, the chief executive, demand grew in every region in May."
    assert trim_sentence(okafor, "en") == "Demand grew in every region in May."
    assert trim_sentence("However, the bank set aside $310 million for bad loans.", "en") == (
        "The bank set aside $310 million for bad loans."
    )
    quote = '"We are seeing demand from every region," Okafor told reporters.'
    assert trim_sentence(quote, "en") == quote
    german = "Die Aktie stieg um 3,1 Prozent, sagte ein Händler am Dienstag in Frankfurt."
    assert trim_sentence(german, "de") == german  # attribution rules are English only


def test_long_sentences_are_cut_at_a_clause_break_never_before_but() -> None:
    long = ("Tesla began offering paid robotaxi rides in Phoenix on Tuesday with no employee "
            "in the vehicle, expanding a service that until now has required a safety monitor "
            "on board in most cities.")  # fmt: skip
    assert shorten(long, 25) == ("Tesla began offering paid robotaxi rides in Phoenix on "
                                 "Tuesday with no employee in the vehicle.")  # fmt: skip
    caveat = ("The company beat estimates for the quarter across every one of its regions and "
              "segments, but warned that demand would weaken sharply next year in Europe.")  # fmt: skip
    assert shorten(caveat, 20) == caveat


def test_wire_datelines_go_with_or_without_a_dash() -> None:
    assert trim_sentence("(CNN)They may be close to finding evidence of life on Mars, a NASA "
                         "scientist says.", "en") == (
        "They may be close to finding evidence of life on Mars."  # the attribution goes too
    )  # fmt: skip
    assert trim_sentence("LONDON (Reuters) - Shares in the harbour company rose on Monday.") == (
        "Shares in the harbour company rose on Monday."
    )


def test_a_short_cut_never_drops_an_after_clause() -> None:
    event = ("The reporter found herself in the news this week, rather than reporting on it, "
             "after a video surfaced showing her berating a worker at a tow company.")  # fmt: skip
    assert shorten(event, 15) == event


def test_parenthetical_asides_go_when_over_budget() -> None:
    text = "The mayor (pictured at the harbour) opened the new ferry terminal in Springfield."
    assert drop_asides(text, 10) == "The mayor opened the new ferry terminal in Springfield."
    assert drop_asides(text, 30) == text  # within budget: nothing is dropped


def test_dash_asides_go_when_over_budget() -> None:
    text = "She ended up against a barrier - and out of the way - as other cars piled up."
    assert drop_asides(text, 12) == "She ended up against a barrier as other cars piled up."


def test_who_and_which_clauses_go_in_english_when_over_budget() -> None:
    text = ("Wright, who broke every scoring record at the club, will hand over the trophy "
            "at Sandown.")  # fmt: skip
    assert drop_asides(text, 10, "en") == "Wright will hand over the trophy at Sandown."
    german = "Wright, who broke every record, wird die Trophäe in Sandown übergeben."
    assert drop_asides(german, 5, "de") == german  # English rules only for English


def test_appositives_after_a_name_go_when_over_budget() -> None:
    text = "Ben Elton, the comedian and writer, told supporters he was back with Labour."
    assert drop_asides(text, 10, "en") == "Ben Elton told supporters he was back with Labour."


def test_asides_holding_a_number_are_kept() -> None:
    text = ("The arrows, which measure up to 70ft, guided the first airmail pilots (from "
            "1924) across the United States.")  # fmt: skip
    assert drop_asides(text, 5, "en") == text


def test_asides_stay_when_too_little_would_be_left() -> None:
    text = "Ms Okafor (pictured) agreed."
    assert drop_asides(text, 2, "en") == text
