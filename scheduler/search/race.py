"""The whole model racing the search by parts, on provinces of a middling size."""

import threading
from time import perf_counter

from scheduler.model.core import RosterModel
from scheduler.search.incumbent import Incumbent
from scheduler.search.phases import STOP_POLL_SECONDS, Found, OnSolution, lexicographic


class Race:
    """The whole model on one worker in a thread of its own, beside the search by parts and
    neighbourhoods on the other: which does better depends on the province's shape (on
    2,000 x 300 in 30 s the parts came within 0.5 % on dense, large-team and no-road
    provinces where the whole model stayed 5 to 20 % away; on tight ones the whole model
    proved the priority the parts could not). A whole model that proves its roster best
    stops the search. Without a model, only the user's stop is passed on."""

    def __init__(self, m: RosterModel | None, best: Incumbent, *, deadline: float, seed: int,
                 on_solution: OnSolution, stop: threading.Event | None) -> None:
        self.halt = threading.Event()
        self.found: Found | None = None
        self._done = threading.Event()
        self._threads: list[threading.Thread] = []
        self._args = m, best, deadline, seed, on_solution
        self._stop = stop
        if stop is not None and stop.is_set():
            self.halt.set()

    def _whole(self) -> None:
        m, best, deadline, seed, on_solution = self._args
        assert m is not None
        if self.halt.is_set():
            return
        self.found = lexicographic(m, best.chosen, best.staffed,
                                   seconds=deadline - perf_counter(), workers=1, seed=seed,
                                   on_solution=on_solution, stop=self.halt)
        if self.found.infeasible or (self.found.priority_proven and self.found.cost_proven):
            self.halt.set()

    def _watch(self) -> None:
        assert self._stop is not None
        while not self._done.wait(STOP_POLL_SECONDS):
            if self._stop.is_set():
                self.halt.set()
                return

    def __enter__(self) -> "Race":
        if self._args[0] is not None:
            self._threads.append(threading.Thread(target=self._whole, daemon=True))
        if self._stop is not None:
            self._threads.append(threading.Thread(target=self._watch, daemon=True))
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.halt.set()  # the search by parts is done: the whole model stops too
        self._done.set()
        for t in self._threads:
            t.join()
