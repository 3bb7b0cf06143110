"""Fictional articles for the summarizer tests (written for Wirebrief; no real reporting)."""

from __future__ import annotations

TITLE = "Orchard Bank Lifts Profit 12% as Lending Grows"

# Lead first, then elaboration, a repeated point, a quote, a dateline and chrome.
TEXT = """SPRINGFIELD (Reuters) - Orchard Bank reported a 12% rise in third-quarter profit on Tuesday, to $4.2 billion, as lending to small businesses grew faster than expected.

Revenue climbed to $18.6 billion, beating the $17.9 billion analysts had forecast, the company said in a statement.

Chief executive Maria Okafor said the bank would raise its dividend by 5 cents a share. "We are seeing demand from every region," Okafor told reporters.

Orchard Bank's profit rose 12% in the quarter, helped by the growth in small-business lending.

However, the bank set aside $310 million for loans that may go bad, up from $220 million a year earlier.

Shares of Orchard Bank rose 3.1% in early trading in New York.

Scroll down for video.

Click here to sign up for our newsletter.
"""

GERMAN_TEXT = """Die Orchard Bank hat im dritten Quartal einen Gewinn von 4,2 Milliarden Dollar erzielt.

Der Umsatz stieg auf 18,6 Milliarden Dollar und lag damit über den Erwartungen der Analysten.

Die Bank will die Dividende um 5 Cent je Aktie erhöhen, wie Vorstandschefin Maria Okafor sagte.

Die Aktie der Orchard Bank stieg im frühen Handel in New York um 3,1 Prozent.
"""

CHINESE_TEXT = (
    "果园银行第三季度利润增长百分之十二，达到四十二亿美元。"
    "收入增至一百八十六亿美元，超过分析师预期。"
    "首席执行官表示，银行将提高股息。"
    "该行股价在纽约早盘上涨。"
)

GOOD_ANSWER = {
    "headline": "Orchard Bank's third-quarter profit rose 12% to $4.2 billion.",
    "bullets": [
        "Orchard Bank reported a 12% rise in third-quarter profit, to $4.2 billion.",
        "Revenue climbed to $18.6 billion, beating the $17.9 billion analysts had forecast.",
        "The bank set aside $310 million for loans that may go bad.",
    ],
}
