"""Entity linking: real mentions link, ordinary words, people and places do not."""

from __future__ import annotations

import pickle

import pytest

from wirebrief.markets.linker import Linker
from wirebrief.markets.registry import Registry, builtin_assets
from wirebrief.markets.types import AssetLink, AssetSpec


@pytest.fixture(scope="module")
def linker() -> Linker:
    return Linker(Registry(builtin_assets()))


def symbols(linker: Linker, title: str, text: str = "") -> list[str]:
    return [link.symbol for link in linker.link(title, text)]


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # ordinary words that are also asset names or tickers
        ("Olympic champion wins her third gold medal", "", []),
        ("", "The board met at the fund's offices on Union Street on Thursday.", []),
        ("", "Talks between the union and the carmaker broke down.", []),
        ("", "The European Union fined the retailer and its shares fell 2%.", []),
        ("", "There is a silver lining for savers as deposit rates rise.", []),
        ("", "Analysts call bitcoin digital gold, and its price rose 2%.", ["BTC"]),
        ("Click the link in our bio", "ONE more thing: the sun came out.", []),
        ("", "The Amazon rainforest lost more trees this year.", []),
        ("", "Nikola Tesla filed more than 300 patents.", []),
        ("", "She studied physics at ETH Zurich.", []),
        # people do not link to their companies
        ("Musk says robotaxis are coming to ten more cities", "", []),
        ("Jensen Huang to give the keynote at Computex", "", []),
        ("", "Tesla CEO Elon Musk said on Tuesday that he would vote in the election.", []),
        ("", "Other industry figures like Jensen Huang from Nvidia disagree.", []),
        # explicit forms count even for ambiguous tickers
        ("$U jumps 20% after its exchange listing", "", ["U"]),
        ("Union (U) token surges after mainnet launch", "", ["U"]),
        ("", "Shares of Alibaba (NYSE: BABA) rose 4% in New York.", ["BABA"]),
        # plain names and tickers
        ("Tesla recalls 12,000 vehicles", "", ["TSLA"]),
        ("NVDA options volume hits a record", "", ["NVDA"]),
        ("Gold Jumps 2.4% as the Dollar Slides", "", ["XAU"]),
        ("", "Spot gold rose 1.1% to $4,880 an ounce.", ["XAU"]),
        ("Oil prices fall for a third day", "", ["WTI"]),
        ("Union Pacific beats profit estimates", "", ["UNP"]),
        ("Bitcoin Cash forks again", "", ["BCH"]),
    ],
)
def test_precision_traps(linker: Linker, title: str, text: str, expected: list[str]) -> None:
    assert sorted(symbols(linker, title, text)) == sorted(expected)


def test_two_assets_in_one_sentence_both_link(linker: Linker) -> None:
    found = symbols(linker, "", "Bitcoin and ether rallied on Tuesday as ETF inflows returned.")
    assert sorted(found) == ["BTC", "ETH"]


def test_title_and_frequency_rank_the_main_asset_first(linker: Linker) -> None:
    text = (
        "Tesla's sales in China fell 18%. Tesla shares slid 5% on Thursday. "
        "Chip stocks rose after strong results from Nvidia."
    )
    links = linker.link("Tesla Shares Slide 5% as China Registrations Fall", text)
    assert [link.symbol for link in links] == ["TSLA", "NVDA"]
    assert links[0].score > links[1].score
    assert 0 < links[1].score < links[0].score < 1


def test_an_ambiguous_name_counts_once_the_asset_is_named_plainly(linker: Linker) -> None:
    text = "Union (U) listed on Friday. Union is building a bridge between chains."
    (link,) = linker.link("", text)
    assert link.symbol == "U"
    assert [e.kind for e in link.evidence] == [
        "name_in_context",
        "ticker_in_parens",
        "name_in_context",
    ]


def test_evidence_spans_point_into_title_and_text(linker: Linker) -> None:
    title, text = "Solana halts for 47 minutes", "SOL briefly fell 6% after the halt."
    (link,) = linker.link(title, text)
    assert link.symbol == "SOL"
    fields = {
        (e.field, (title if e.field == "title" else text)[e.start : e.end]) for e in link.evidence
    }
    assert fields == {("title", "Solana"), ("text", "SOL")}
    assert link.as_dict()["evidence"][0] == {
        "text": "Solana", "start": 0, "end": 6, "field": "title", "kind": "name",
    }  # fmt: skip


def test_case_rules_for_aliases_and_tickers(linker: Linker) -> None:
    assert symbols(linker, "BITCOIN SMASHES RECORD") == ["BTC"]
    assert symbols(linker, "TESLA RECALL WIDENS") == ["TSLA"]
    assert symbols(linker, "tesla coils explained") == []
    # In a shouting headline bare capitals say nothing about tickers.
    assert symbols(linker, "WHY NOW IS THE TIME TO COST OUT YOUR PLANS") == []
    assert symbols(linker, "", "Buy $tsla, said the post.") == ["TSLA"]
    assert symbols(linker, "", "Prices in US$ rose 3%.") == []


def test_curly_apostrophes_and_possessives(linker: Linker) -> None:
    assert symbols(
        linker, "", "McDonald\u2019s sales rose 3% and Nvidia\u2019s chips sold out."
    ) == [
        "MCD",
        "NVDA",
    ]


def test_custom_registry_and_stop_phrases() -> None:
    spec = AssetSpec(
        "ACME", "Acme Corp.", "stock", "NYSE", aliases=("Acme",), ambiguous=("Road Runner",)
    )
    linker = Linker(Registry([spec]), stops=["Acme Road"])
    assert symbols(linker, "Acme beats estimates") == ["ACME"]
    assert symbols(linker, "", "They met on Acme Road.") == []
    assert symbols(linker, "", "Road Runner shares rose 4%.") == ["ACME"]


def test_links_survive_a_process_boundary(linker: Linker) -> None:
    links = linker.link("Ether climbs", "ETH rose 3%.")
    assert pickle.loads(pickle.dumps(links)) == links
    assert isinstance(links[0], AssetLink)


def test_empty_input_links_nothing(linker: Linker) -> None:
    assert linker.link("", "") == []
