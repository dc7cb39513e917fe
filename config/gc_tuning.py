"""The garbage collector of a web process, set for a long-lived server holding many sockets.

With CPython's defaults (collect the youngest generation every 700 net allocations, the oldest
after ten of the middle one's), a daphne under ``make bench`` stopped for every collection of
the oldest generation, which walks every object the process holds: 0.2–0.3 s with the 200,000
objects of a process with a few hundred sockets, 0.6–1.6 s with the 5,000 sockets of the busy
day (500,000 objects and more), about once every 10 s (measured with a ``gc.callbacks`` log in
both daphne processes of a live_bench run, 2026-12-06; docs/benchmarks.md). Every command and
push in flight waits through such a pause: it was the tail of the latency figures.

So, once at start-up (``GC_TUNING``, on outside pytest):

* what start-up made (Django, the apps, the URL conf and every view it imports) is collected
  once and then frozen (``gc.freeze``): it lives as long as the process, and no collection
  walks it again;
* the youngest generation is collected every ``GEN0_THRESHOLD`` allocations instead of 700:
  a command's or a push's objects are gone by then instead of being promoted, so the oldest
  generation, whose collection is the long one, fills about that many times more slowly.
  Garbage in reference cycles waits a little longer to be freed (a few MiB at most).

Measured the same way with this on, in a run of the busy day (1,000 sessions × 5 sockets on
two daphne, a command per 10 s per session, on a machine busy with other work as well): no
collection of the oldest generation after start-up; the youngest took 30–240 ms while the
5,000 sockets connected (each freeing some 45,000 objects of reference cycles) and 30–125 ms
every 5–7 s after; the busy day's p99 from a command to every member fell from 778 ms to
101 ms. ``make bench`` measures a process with CPython's defaults beside it
(``GC_TUNING=0``).
"""

from __future__ import annotations

import gc

GEN0_THRESHOLD = 50_000


def tune() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - import every view now, so it is frozen too
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, middle, oldest)
