"""Stock sentences of news releases are recognised by kind and never become bullets."""

from __future__ import annotations

import pytest

from wirebrief.summarize import summarize_article
from wirebrief.summarize.boilerplate import boilerplate_kind


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("U.S. Attorney Jo Ray of the Southern District and Special Agent in Charge Lee Kim "
         "made the announcement.", "announcer"),
        ("Commissioner Dana Reyes joined in today's announcement.", "announcer"),
        ("The FBI and the Postal Inspection Service investigated the case.", "case credits"),
        ("This case is being investigated by the Harbour City Police Department.",
         "case credits"),
        ("Trial Attorney Jo Ray of the Fraud Section is prosecuting the case.", "case credits"),
        ("Additional information about the Consumer Branch may be found on its website.",
         "more information"),
        ("For more information, please visit the agency's site.", "more information"),
        ("Reports are available at the office's web page.", "more information"),
        ("Media inquiries should go to the press office.", "contact"),
        ("Anyone with information may call the tip line at 555-010-0199.", "contact"),
        ("The case is docketed as Case No. 2:18-cv-00412.", "case number"),
        ("(Harbour County Docket No. 18-CR-208)", "case number"),
        ("An indictment is merely an allegation and all defendants are presumed innocent "
         "until proven guilty.", "legal disclaimer"),
        ("The charges in a complaint are merely accusations.", "legal disclaimer"),
        ("The maximum sentence is provided here for informational purposes only.",
         "legal disclaimer"),
        ("This release contains forward-looking statements that involve risks.",
         "legal disclaimer"),
        ("Click here to sign up for our newsletter.", "page chrome"),
    ],
)  # fmt: skip
def test_stock_sentences_are_named_by_kind(sentence: str, kind: str) -> None:
    assert boilerplate_kind(sentence, "en") == kind


@pytest.mark.parametrize(
    "sentence",
    [
        "The company declined to give more information about the breach.",
        "Prosecutors said the scheme cost investors $4.2 million over three years.",
        "Ray was sentenced to 30 months in prison and ordered to pay $1.1 million.",
        "The announcement sent shares of Orchard Bank up 3% in early trading.",
        "Investigators found 40 kilograms of cocaine in the ship's hold.",
    ],
)
def test_news_sentences_are_not_boilerplate(sentence: str) -> None:
    assert boilerplate_kind(sentence, "en") is None


def test_english_release_rules_leave_other_languages_alone() -> None:
    assert boilerplate_kind("Die Polizei ermittelt in dem Fall (case credits).", "de") is None
    assert boilerplate_kind("Click here to subscribe.", "de") == "page chrome"


RELEASE_TITLE = "Harbour City Man Sentenced for Defrauding Pension Fund"
RELEASE = """A Harbour City man was sentenced today to 57 months in prison for stealing $2.3 million from a union pension fund, announced Acting Assistant Attorney General Jo P. Ray of the Criminal Division and U.S. Attorney Lee Kim of the Eastern District.

Dana Reyes, 52, pleaded guilty in March to one count of embezzlement from an employee benefit plan.

According to court documents, Reyes wrote 214 checks to shell companies he controlled between 2012 and 2016.

He spent the money on a vacation home, two boats and gambling trips, prosecutors said.

Acting Assistant Attorney General Jo P. Ray of the Criminal Division and U.S. Attorney Lee Kim of the Eastern District made the announcement.

The Labor Department's Office of Inspector General investigated the case.

For more information about the Fraud Section, please visit its website.

An indictment is merely an allegation and all defendants are presumed innocent until proven guilty.
"""


def test_a_release_tldr_spends_no_line_on_boilerplate() -> None:
    tldr = summarize_article(RELEASE_TITLE, RELEASE, lang="en")
    assert len(tldr.bullets) >= 3
    for line in (tldr.headline, *tldr.bullets):
        assert boilerplate_kind(line, "en") is None, line
        assert not line.endswith(("Jo P.", "Ray of the Criminal Division.")), line
