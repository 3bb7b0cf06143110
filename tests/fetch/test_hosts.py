"""HostLimiter: per-host concurrency, spacing between starts, cooldowns (no network)."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from wirebrief.errors import HostCoolingDown
from wirebrief.fetch.hosts import HostLimiter, MemorySchedule
from wirebrief.settings import Settings


async def _max_concurrency(limiter: HostLimiter, hosts: list[str], hold_s: float) -> int:
    """Run one task per entry of ``hosts``; the most that were inside a slot at once."""
    active = 0
    peak = 0

    async def one(host: str) -> None:
        nonlocal active, peak
        async with limiter.slot(host):
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(hold_s)
            active -= 1

    await asyncio.gather(*(one(host) for host in hosts))
    return peak


@pytest.mark.parametrize("per_host", [1, 2, 3])
def test_at_most_per_host_slots_at_once(per_host: int) -> None:
    limiter = HostLimiter(per_host=per_host, min_delay_s=0.0)
    peak = asyncio.run(_max_concurrency(limiter, ["a.example"] * 8, hold_s=0.02))
    assert peak == per_host


def test_limit_is_per_host() -> None:
    """Two hosts with two slots each: four requests at once, no more."""
    limiter = HostLimiter(per_host=2, min_delay_s=0.0)
    hosts = ["a.example", "b.example"] * 4
    assert asyncio.run(_max_concurrency(limiter, hosts, hold_s=0.02)) == 4


def test_busy_host_does_not_block_another() -> None:
    limiter = HostLimiter(per_host=1, min_delay_s=0.0)

    async def scenario() -> None:
        entered = asyncio.Event()
        release = asyncio.Event()

        async def hold(host: str) -> None:
            async with limiter.slot(host):
                entered.set()
                await release.wait()

        async def enter(host: str) -> None:
            async with limiter.slot(host):
                pass

        holder = asyncio.create_task(hold("a.example"))
        await entered.wait()
        # Another host goes straight in...
        await asyncio.wait_for(enter("b.example"), timeout=1.0)
        # ...while the busy host's only slot stays taken.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(enter("a.example"), timeout=0.1)
        release.set()
        await holder
        await asyncio.wait_for(enter("a.example"), timeout=1.0)

    asyncio.run(scenario())


def test_slot_is_released_when_the_request_fails() -> None:
    limiter = HostLimiter(per_host=1, min_delay_s=0.0)

    async def scenario() -> None:
        with pytest.raises(RuntimeError):
            async with limiter.slot("a.example"):
                raise RuntimeError("boom")
        async with asyncio.timeout(1.0), limiter.slot("a.example"):
            pass

    asyncio.run(scenario())


def test_min_delay_spaces_starts() -> None:
    limiter = HostLimiter(per_host=5, min_delay_s=0.1)

    async def scenario() -> tuple[list[float], float]:
        starts: list[float] = []

        async def one(host: str) -> None:
            async with limiter.slot(host):
                starts.append(time.monotonic())

        await asyncio.gather(*(one("a.example") for _ in range(4)))
        began = time.monotonic()
        async with limiter.slot("b.example"):  # another host is not spaced by a.example
            other_host_wait = time.monotonic() - began
        return starts, other_host_wait

    starts, other_host_wait = asyncio.run(scenario())
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert len(gaps) == 3
    assert all(gap >= 0.09 for gap in gaps), gaps
    assert starts[-1] - starts[0] < 2.0
    assert other_host_wait < 0.09


def test_no_delay_means_no_spacing() -> None:
    limiter = HostLimiter(per_host=4, min_delay_s=0.0)

    async def scenario() -> float:
        began = time.monotonic()
        for _ in range(20):
            async with limiter.slot("a.example"):
                pass
        return time.monotonic() - began

    assert asyncio.run(scenario()) < 0.5


def test_cool_down_delays_the_next_start() -> None:
    limiter = HostLimiter(per_host=2, min_delay_s=0.0)

    async def scenario() -> tuple[float, float, float]:
        await limiter.cool_down("a.example", 0.3)
        left = await limiter.cooldown_left("a.example")
        assert 0.2 < left <= 0.3
        assert await limiter.cooldown_left("b.example") == 0.0

        began = time.monotonic()
        async with limiter.slot("b.example"):  # other hosts are not cooled down
            other = time.monotonic() - began
        async with limiter.slot("a.example"):
            waited = time.monotonic() - began
        return waited, other, await limiter.cooldown_left("a.example")

    waited, other, left_after = asyncio.run(scenario())
    assert waited >= 0.25
    assert waited < 2.0
    assert other < 0.2
    assert left_after == 0.0


def test_cool_down_never_shortens_a_longer_one() -> None:
    limiter = HostLimiter(per_host=2, min_delay_s=0.0)

    async def scenario() -> float:
        await limiter.cool_down("a.example", 60.0)
        await limiter.cool_down("a.example", 1.0)
        return await limiter.cooldown_left("a.example")

    assert asyncio.run(scenario()) > 50.0


def test_cooldown_left_of_an_unknown_host_is_zero() -> None:
    limiter = HostLimiter()

    async def scenario() -> tuple[float, float]:
        never = await limiter.cooldown_left("never.example")
        await limiter.cool_down("gone.example", 0.0)
        return never, await limiter.cooldown_left("gone.example")

    assert asyncio.run(scenario()) == (0.0, 0.0)


def test_spacing_is_not_a_cooldown() -> None:
    """A long gap between starts spaces requests but never makes the fetcher give up."""
    limiter = HostLimiter(per_host=2, min_delay_s=30.0)

    async def scenario() -> float:
        async with limiter.slot("a.example"):
            pass
        return await limiter.cooldown_left("a.example")

    assert asyncio.run(scenario()) == 0.0


def test_limiter_takes_the_settings_and_a_schedule(settings: Settings) -> None:
    schedule = MemorySchedule()
    limiter = HostLimiter.from_settings(settings, schedule)
    assert limiter.per_host == settings.per_host_concurrency
    assert limiter.min_delay_s == settings.per_host_delay_s
    assert limiter.schedule is schedule
    assert isinstance(HostLimiter.from_settings(settings).schedule, MemorySchedule)


def test_a_long_cooldown_refuses_the_slot_at_once() -> None:
    """A request never sleeps through a cooldown longer than the bound; nothing is booked."""
    limiter = HostLimiter(per_host=1, min_delay_s=0.0)

    async def scenario() -> tuple[float, HostCoolingDown]:
        await limiter.cool_down("a.example", 3600.0)
        began = time.monotonic()
        with pytest.raises(HostCoolingDown) as caught:
            async with limiter.slot("a.example"):
                pass
        return time.monotonic() - began, caught.value

    waited, error = asyncio.run(scenario())
    assert waited < 0.5
    assert 3590 < error.retry_after_s <= 3600
    assert error.transient and error.reason == "rate_limited"


def test_requests_queued_before_a_cooldown_are_refused_not_put_to_sleep() -> None:
    """Queued behind a request whose answer cools the host down for an hour, the others
    fail within the bound instead of holding their place for the hour; another host's
    requests go on meanwhile."""
    limiter = HostLimiter(per_host=1, min_delay_s=0.0)

    async def one(host: str, answer_cools: bool) -> str:
        try:
            async with limiter.slot(host):
                await asyncio.sleep(0.05)
                if answer_cools:
                    await limiter.cool_down(host, 3600.0)  # the answer was a 429
        except HostCoolingDown:
            return "deferred"
        return "done"

    async def scenario() -> tuple[list[str], list[str], float]:
        began = time.monotonic()
        busy = [one("busy.example", answer_cools=i == 0) for i in range(8)]
        calm = [one("calm.example", answer_cools=False) for _ in range(4)]
        results = await asyncio.gather(*busy, *calm)
        return results[:8], results[8:], time.monotonic() - began

    busy, calm, took = asyncio.run(scenario())
    assert busy == ["done"] + ["deferred"] * 7
    assert calm == ["done"] * 4
    assert took < 1.5  # four calm requests one after another, the busy ones refused at once
