"""The pipeline states its page stages and store steps once, in order."""

from __future__ import annotations

from wirebrief.pipeline import PAGE_STAGES, STORE_STEPS, TEXT_STAGES, SourceReport, StoreOutcome


def names(steps: tuple[object, ...]) -> list[str]:
    return [step.__name__ for step in steps]  # type: ignore[attr-defined]


def test_page_stages_run_in_the_documented_order() -> None:
    assert names(PAGE_STAGES) == [
        "extract", "capture_tldr", "attribute", "clean", "measure", "fingerprint", "profile",
        "link_assets", "summarize", "weigh_terms", "sanitize",
    ]  # fmt: skip
    assert names(TEXT_STAGES) == ["measure", "fingerprint", "profile"]


def test_store_steps_place_the_page_first_then_record_it() -> None:
    assert names(STORE_STEPS) == [
        "lock_copies", "skip_removed", "store_by_url", "collapse_copies",
        "group_into_story", "store_asset_links", "index_for_search", "file_for_readers",
    ]  # fmt: skip


def test_a_report_counts_outcomes_by_enum_and_reads_them_by_name() -> None:
    report = SourceReport(1, "wire")
    report.outcomes[StoreOutcome.NEW] += 2
    report.outcomes[StoreOutcome.COPIES] += 1
    assert (report.new, report.copies, report.updated, report.unchanged) == (2, 1, 0, 0)
    assert report.status == "ok"
