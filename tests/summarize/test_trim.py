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


def test_an_aside_whose_end_is_unsure_keeps_the_sentence_whole() -> None:
    # The comma after "Boulder" may end the aside or go on with the place name.
    place = ("Parallax Quantum, a startup based in Boulder, Colorado, said on Saturday that its "
             "new processor had run for a week without an error.")  # fmt: skip
    assert drop_asides(place, 10, "en") == place
    who = ("Dana Reyes, who grew up in Tulsa, Oklahoma, will lead the agency from its "
           "headquarters in the capital next spring.")  # fmt: skip
    assert drop_asides(who, 10, "en") == who
    # Titled names in a list: "Jones, the chief executive, and Smith, the finance chief, …".
    listed = ("Jones, the chief executive, and Smith, the finance chief, told investors on a "
              "call that the plant would reopen in the spring.")  # fmt: skip
    assert drop_asides(listed, 10, "en") == listed
    # The same asides with a sure end still go.
    sure = ("Parallax Quantum, a startup based in Boulder, said on Saturday that its new "
            "processor had run for a week without an error.")  # fmt: skip
    assert drop_asides(sure, 20, "en") == ("Parallax Quantum said on Saturday that its new "
                                           "processor had run for a week without an error.")  # fmt: skip


def test_a_closing_credit_of_names_and_titles_is_trimmed() -> None:
    lead = ("A former county judge was charged today with taking bribes, announced Acting "
            "Assistant Attorney General Jo P. Ray of the Criminal Division and U.S. Attorney "
            "Lee Kim of the Middle District of Georgia.")  # fmt: skip
    assert (
        trim_sentence(lead, "en") == "A former county judge was charged today with taking bribes."
    )
    claim = ("The bank will close 40 branches by June, said a spokesman who asked not to be "
             "named because the plan is not yet public.")  # fmt: skip
    assert trim_sentence(claim, "en") == claim  # not names and titles only: kept


def test_the_announcer_before_what_was_announced_is_trimmed() -> None:
    text = "The Department of Justice today announced that Dana Reyes will lead the agency."
    assert trim_sentence(text, "en") == "Dana Reyes will lead the agency."
    pronoun = "Orchard Bank announced that it will close 40 branches by the end of June."
    assert trim_sentence(pronoun, "en") == pronoun  # "It will close…" would lose its subject


def test_a_headline_may_end_before_a_clause_of_circumstance() -> None:
    from wirebrief.summarize.trim import HEADLINE_BREAK

    text = ("Orchard Bank reported a 12% rise in third-quarter profit on Tuesday, to $4.2 "
            "billion, as lending to small businesses grew faster than expected.")  # fmt: skip
    assert shorten(text, 20, HEADLINE_BREAK) == (
        "Orchard Bank reported a 12% rise in third-quarter profit on Tuesday, to $4.2 billion."
    )
    assert shorten(text, 20) == text  # a bullet keeps its "as" clause


def test_a_cut_never_leaves_a_fragment() -> None:
    from wirebrief.summarize.trim import HEADLINE_BREAK

    relative = ("Tesla began offering paid robotaxi rides in Phoenix on Tuesday with no employee "
                "in the vehicle, expanding a service that until now has required a monitor.")  # fmt: skip
    assert shorten(relative, 20, HEADLINE_BREAK) == (
        "Tesla began offering paid robotaxi rides in Phoenix on Tuesday with no employee in "
        "the vehicle."
    )  # fmt: skip
    subject = ("The Harbour City Public Employees Retirement Fund Board of Trustees, which "
               "manages the savings of teachers and firefighters, voted to sell its bonds.")  # fmt: skip
    assert shorten(subject, 15) == subject  # the name alone is no sentence
    dashes = ("The ferry service - until now run by the city - will pass to a private "
              "operator next spring under the new contract signed on Friday.")  # fmt: skip
    assert shorten(dashes, 10) == dashes  # a pair of dashes is an aside, not a clause end


def test_deletion_never_leaves_a_quotation_open() -> None:
    quote = ('"It is great to see him step up," said captain Jo Ray, who made 105 and 76 not '
             'out in the match."')  # fmt: skip
    assert drop_asides(quote, 8, "en") == quote
    inside = ('Krut said the piece was "a little bit like a tone poem - when you spend some '
              'time with it, it gradually opens up" to the viewer.')  # fmt: skip
    assert shorten(inside, 15) == inside
