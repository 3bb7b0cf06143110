"""Markets beside the news: the asset registry, entity linking, prices and charts.

- ``registry``: which assets exist and what they are called (``data/assets.csv``).
- ``linker``: which assets an article is about, with a score and evidence spans.
- ``providers``: where prices come from (files you supply, or public HTTP APIs).
- ``prices``: providers in order, with caching and the database as a fallback.
- ``quotes``: last price, 24 h change, the move since a time; ``sparkline``: SVG charts.
"""
