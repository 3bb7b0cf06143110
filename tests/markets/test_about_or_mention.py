"""About or a passing mention: the headline, the lead and discussion make an article about
an asset; a rival, a customer or a line on other markets is a mention."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wirebrief.markets.about import FEATURES, AboutModel, LinkRole
from wirebrief.markets.linker import Linker
from wirebrief.markets.registry import Registry, builtin_assets
from wirebrief.markets.types import AssetLink

RECALL = (
    "Ford Motor is recalling about 310,000 pickup trucks because a bolt that holds the rear "
    "axle can loosen, the company said in a filing on Thursday.\n\n"
    "Dealers will inspect the bolt and replace it free of charge. Ford said it knew of four "
    "crashes and no injuries linked to the problem, and that it had set aside more money for "
    "warranty claims this year.\n\n"
    "Unlike rivals such as Tesla and General Motors, which fix many defects with software "
    "updates sent over the air, Ford will need owners to bring their trucks to a dealer.\n\n"
    "Ford shares fell 1.2% in afternoon trading in New York."
)
EARNINGS = (
    "Coinbase reported quarterly revenue of $2.1 billion on Thursday, ahead of estimates, as "
    "retail trading picked up.\n\n"
    "Transaction revenue rose 31% from the previous quarter, and subscription revenue reached "
    "$710 million. The company said it would keep spending on its derivatives business.\n\n"
    "Executives said the business depends less than before on the price of any one token. "
    "The company still holds some bitcoin on its balance sheet as an investment.\n\n"
    "Coinbase shares rose 6% in after-hours trading."
)
WRAP = (
    "U.S. stocks fell from record highs on Friday as results from two of the largest "
    "technology companies disappointed investors.\n\n"
    "The S&P 500 fell 0.9% and the Nasdaq Composite lost 1.4%. The Dow Jones Industrial "
    "Average slipped 0.3%, held up by industrial shares.\n\n"
    "Apple fell 3.8% after it forecast slower iPhone sales in China. Amazon dropped 4.5% as "
    "growth at its cloud business slowed for a second quarter.\n\n"
    "Treasury yields were little changed, and the dollar edged higher against the yen.\n\n"
    "Elsewhere, gold rose 0.5% and bitcoin traded near $98,000."
)
CHIPMAKER = (
    "One of the largest designers of smartphone chips warned on Wednesday that sales would "
    "fall short of expectations this quarter, blaming weak demand in China.\n\n"
    "Qualcomm said it expected revenue of $9.9 billion to $10.7 billion, below estimates. "
    "Qualcomm also said a large customer was building more of its own parts.\n\n"
    "Qualcomm shares fell 7.5% in extended trading, their biggest drop in a year."
)


@pytest.fixture(scope="module")
def linker() -> Linker:
    return Linker(Registry(builtin_assets()))


def roles(links: list[AssetLink]) -> dict[str, str]:
    return {link.symbol: link.role.value for link in links}


def test_rivals_named_in_passing_are_mentions(linker: Linker) -> None:
    links = linker.link("Ford Recalls 310,000 Pickups Over Loose Axle Bolt", RECALL)
    assert roles(links) == {"F": "about", "TSLA": "mention", "GM": "mention"}
    assert links[0].symbol == "F"  # about first, then the mentions


def test_background_mention_of_a_coin_in_an_earnings_story(linker: Linker) -> None:
    links = linker.link("Coinbase Revenue Beats Forecasts as Trading Recovers", EARNINGS)
    assert roles(links) == {"COIN": "about", "BTC": "mention"}


def test_a_round_up_is_about_each_asset_with_its_own_move_but_not_its_last_line(
    linker: Linker,
) -> None:
    links = linker.link("Stocks Fall From Records as Tech Giants Slide", WRAP)
    found = roles(links)
    assert {s for s, role in found.items() if role == "about"} >= {"SPX", "IXIC", "AAPL", "AMZN"}
    assert found["BTC"] == "mention"  # "Elsewhere, … bitcoin traded near $98,000."


def test_discussed_in_the_body_without_headline_or_lead(linker: Linker) -> None:
    links = linker.link("Chip Designer's Shares Slide After It Warns on Demand", CHIPMAKER)
    assert roles(links) == {"QCOM": "about"}


def test_headline_and_lead_make_an_article_about_an_asset(linker: Linker) -> None:
    assert roles(linker.link("Tesla recalls 12,000 vehicles")) == {"TSLA": "about"}
    lead = "Nvidia said on Monday it had won a licence to ship chips to China."
    assert roles(linker.link("Chip export licence granted", lead + " " + CHIPMAKER[:60])) == {
        "NVDA": "about"
    }
    both = linker.link("", "Bitcoin and ether rallied on Tuesday as ETF inflows returned.")
    assert roles(both) == {"BTC": "about", "ETH": "about"}


def test_an_ambiguous_headline_name_counts_once_the_text_has_it_in_market_context(
    linker: Linker,
) -> None:
    text = (
        "The Justice Department accused the card network of monopolising debit payments. "
        "Visa shares fell 5.5% on the news."
    )
    (link,) = linker.link("Justice Department Sues Visa Over Debit Cards", text)
    assert link.symbol == "V" and link.role is LinkRole.ABOUT
    assert [item.field for item in link.evidence] == ["title", "text"]


def test_every_mention_scores_below_every_asset_the_article_is_about(linker: Linker) -> None:
    for title, text in (("Ford Recalls Pickups", RECALL), ("Stocks Fall", WRAP)):
        links = linker.link(title, text)
        about = [link.score for link in links if link.is_about]
        mentions = [link.score for link in links if not link.is_about]
        assert about and mentions and min(about) > max(mentions)
        assert all(0 < link.score < 1 for link in links)


@pytest.mark.parametrize("threshold", [0.0005, 0.2, 0.4217, 0.5, 0.5025, 0.9, 0.9995])
def test_scores_keep_the_order_of_roles_however_they_round(threshold: float) -> None:
    model = AboutModel(tuple(0.0 for _ in FEATURES), 0.0, threshold)
    probabilities = [n / 10_000 for n in range(10_001)]
    about = [model.score(p) for p in probabilities if model.role(p) is LinkRole.ABOUT]
    mentions = [model.score(p) for p in probabilities if model.role(p) is LinkRole.MENTION]
    scores = about + mentions
    assert all(0 < score < 1 for score in scores)
    if about and mentions:
        assert min(about) > max(mentions)


def test_a_model_fitted_on_other_features_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    AboutModel(tuple(0.5 for _ in FEATURES), -1.0, 0.4).save(path, {"fitted": "today"})
    loaded = AboutModel.load(path)
    assert loaded.threshold == 0.4 and loaded.weights == tuple(0.5 for _ in FEATURES)
    data = json.loads(path.read_text())
    data["weights"]["shoe_size"] = data["weights"].pop("title")
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="refit"):
        AboutModel.load(path)
