"""The coalescing runner behind background rebuilds and remote writes: one run at a time, asks made during a run
served by one more run, and a job that asks again (a retry) run again."""

from __future__ import annotations

import asyncio

from server.coalesced import CoalescedRunner


def test_asks_during_a_run_make_one_more_run_never_two_at_once() -> None:
    async def scenario() -> tuple[int, int]:
        started = asyncio.Event()
        release = asyncio.Event()
        runs, running, most = 0, 0, 0

        async def job() -> None:
            nonlocal runs, running, most
            runs += 1
            running += 1
            most = max(most, running)
            started.set()
            await release.wait()
            running -= 1

        runner = CoalescedRunner(job)
        runner.request()
        await started.wait()
        for _ in range(5):  # while the first run waits
            runner.request()
        release.set()
        await runner.wait()
        return runs, most

    assert asyncio.run(scenario()) == (2, 1)


def test_a_job_that_asks_again_is_run_again_by_the_same_loop() -> None:
    async def scenario() -> int:
        runs = 0

        async def job() -> None:
            nonlocal runs
            runs += 1
            if runs < 3:
                runner.request()

        runner = CoalescedRunner(job)
        runner.request()
        await runner.wait()
        runner.request()  # a later ask starts a new run
        await runner.wait()
        return runs

    assert asyncio.run(scenario()) == 4
