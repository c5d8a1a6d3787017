"""The crawler's processes: the CPU pool (parse, extract, drafts: ``revue.crawl.pipeline``) and
the settle process (search index and stories, with a database connection of its own).

``Pools`` starts them in a thread while the first feeds are fetched, runs a function in either,
replaces a pool whose process died (once per call, so one crash, say the OS killing a worker
on a huge page, is not charged to every feed), and stops them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool

from django.db import connection

from revue.crawl import pipeline
from revue.db import other_processes_see_it

logger = logging.getLogger(__name__)

CPU = "cpu"
SETTLER = "settler"


class Pools:
    """The CPU pool and the settle process, each started on first use (or by ``start_soon``)."""

    def __init__(self, processes: int):
        self.processes = processes
        self._factories: dict[str, Callable[[], Executor]] = {
            CPU: lambda: pipeline.cpu_pool(self.processes),
            SETTLER: lambda: pipeline.settle_process(dict(connection.settings_dict)),
        }
        self._running: dict[str, Executor] = {}
        self._warming: asyncio.Future | None = None  # the pools starting, in a thread

    def pool(self, kind: str) -> Executor:
        """The running pool of this kind (``CPU`` or ``SETTLER``), started if need be."""
        executor = self._running.get(kind)
        if executor is None:
            executor = self._running[kind] = self._factories[kind]()
        return executor

    @property
    def settles_apart(self) -> bool:
        """Whether settling runs in a process of its own: not without CPU processes (a
        debugging run), nor on an in-memory SQLite database no other process can open."""
        return self.processes > 0 and other_processes_see_it()

    def start_soon(self) -> None:
        """Start the pools now, in a thread, unless the CPU pool runs already (from the last run).

        A fresh ProcessPoolExecutor starts its processes (and the fork server its imports, ~1 s)
        inside the first submit, which on the event loop would stall every fetch; feeds that
        answer 304 need no CPU process meanwhile.
        """
        if CPU not in self._running:
            self._warming = asyncio.get_running_loop().run_in_executor(None, self._start)

    def _start(self) -> None:
        """Start the CPU processes and the settle process (its Django set-up) before they are needed."""
        started = [self.pool(CPU).submit(int)]
        if self.settles_apart:
            started.append(self.pool(SETTLER).submit(int))
        for future in started:
            future.result()

    def end_run(self) -> None:
        """The run is over: its start is forgotten (the next run starts the pools if they are gone)."""
        self._warming = None

    async def on_cpu(self, func, *args):
        """Run ``func`` in the CPU pool."""
        return await self._run(CPU, func, *args)

    async def in_settler(self, func, *args):
        """Run ``func`` in the settle process."""
        return await self._run(SETTLER, func, *args)

    async def _run(self, kind: str, func, *args):
        loop = asyncio.get_running_loop()
        if self._warming is not None:  # wait for the pools' start rather than block the loop on it
            try:
                await self._warming
            except Exception:  # a pool could not start: the call below tries again, or says why
                self._warming = None
        try:
            return await loop.run_in_executor(self.pool(kind), func, *args)
        except BrokenProcessPool:
            logger.warning("a process of the %s pool died; starting a new one", kind,
                           extra={"stage": kind, "outcome": "replaced"})
            self.replace(kind)
            return await loop.run_in_executor(self.pool(kind), func, *args)

    def replace(self, kind: str) -> None:
        """Drop the pool of this kind (its processes died); the next call starts a new one."""
        broken = self._running.pop(kind, None)
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)

    def stop(self) -> None:
        """Stop the CPU worker processes and the settle process."""
        for kind in (CPU, SETTLER):
            executor = self._running.pop(kind, None)
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
