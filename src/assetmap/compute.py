"""Running a build's independent tasks: in this process, on a local Dask cluster, or on a remote one.

The split work of a build (today the per-cell bounded walking searches, :mod:`assetmap.walk.cells`)
is a list of independent tasks, each a module-level function of small picklable inputs returning a
small result. :func:`run_tasks` runs them where ``[compute] scheduler`` (or the environment
variable ``ASSETMAP_DASK_SCHEDULER``, which wins: a machine's matter, not an area's) says:

* ``"none"``: one after another in this process;
* ``"local"`` (default): a ``distributed.LocalCluster`` of worker processes (one per core, one
  thread each), started only when the work is worth it: more than one task, an estimate of
  their time in one process above :data:`LOCAL_MIN_WORK` seconds (a cluster's start and stop
  cost 1-5 s; small areas and the tests stay in-process), and at least :data:`LOCAL_MIN_CORES`
  cores unless ``workers`` is set (on the shared 2-core machine the cluster was 3-5x *slower*
  than one process: the client cuts the subgraphs, a third of the work, and the scheduler,
  client and workers share the two cores; docs/benchmarks.md);
* ``"tcp://host:8786"``: the Dask scheduler at that address, with its workers on any machines
  (docs/configuration.md, "On several machines"). The workers need the same assetmap installed,
  not the data: tasks carry their arrays.

Tasks are generated lazily and kept at most a few per worker in flight, so the client never holds
every task's inputs at once; results come back in the tasks' order, whatever order they finish in.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

from .errors import AssetmapError
from .settings import ComputeSettings, check_scheduler

ENV_SCHEDULER = "ASSETMAP_DASK_SCHEDULER"
# estimated in-process seconds above which a LocalCluster pays for its start and stop
LOCAL_MIN_WORK = 10.0
LOCAL_MIN_CORES = 4
IN_FLIGHT_PER_WORKER = 4


def scheduler_of(settings: ComputeSettings) -> str:
    env = os.environ.get(ENV_SCHEDULER)
    return check_scheduler(env, f"${ENV_SCHEDULER}") if env else settings.scheduler


def plan(settings: ComputeSettings, n_tasks: int, work: float) -> str:
    """Where tasks of this size run: "none" (in-process), "local" (a new LocalCluster) or an address."""
    where = scheduler_of(settings)
    if where == "none" or n_tasks < 2:
        return "none"
    if where == "local":
        cores_ok = settings.workers > 0 or (os.cpu_count() or 1) >= LOCAL_MIN_CORES
        return "local" if work > LOCAL_MIN_WORK and cores_ok else "none"
    return where


def run_tasks(fn: Callable[[Any], Any], tasks: Iterable[Any], settings: ComputeSettings, n_tasks: int,
              work: float = float("inf"), log: Callable[[str], None] | None = None) -> list:
    """``[fn(t) for t in tasks]``, run where :func:`plan` says; ``work``: their estimated seconds in-process."""
    where = plan(settings, n_tasks, work)
    if log:
        runs = {"none": "in-process", "local": "on a LocalCluster"}.get(where, f"on the Dask scheduler at {where}")
        log(f"{n_tasks} task{'' if n_tasks == 1 else 's'}, about {work:.3g} s of work: {runs}")
    if where == "none":
        return [fn(t) for t in tasks]
    try:
        from distributed import Client, LocalCluster
    except ImportError as e:  # pragma: no cover - a runtime dependency
        raise AssetmapError("the Dask scheduler needs `distributed`; reinstall assetmap (pip install -e .) "
                            "or set [compute] scheduler = \"none\"") from e
    if where == "local":
        n = settings.workers or os.cpu_count() or 1
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            return _gather(client, fn, tasks, n)
    try:
        client = Client(where, timeout="20s")
    except OSError as e:
        raise AssetmapError(f"no Dask scheduler answered at {where}: start one (`dask scheduler`) and its workers "
                            f"(`dask worker {where}`), or set [compute] scheduler = \"local\"") from e
    with client:
        n = max(1, len(client.scheduler_info().get("workers", {})))
        return _gather(client, fn, tasks, n)


def _gather(client, fn, tasks: Iterable[Any], n_workers: int) -> list:
    """Submit lazily, at most ``IN_FLIGHT_PER_WORKER`` per worker pending; results in task order."""
    from distributed import as_completed

    it = iter(enumerate(tasks))
    results: dict[int, Any] = {}
    index = {}
    ac = as_completed()
    for i, t in it:
        f = client.submit(fn, t, pure=False)
        index[f.key] = i
        ac.add(f)
        if ac.count() >= n_workers * IN_FLIGHT_PER_WORKER:
            break
    for f in ac:
        results[index.pop(f.key)] = f.result()
        f.release()
        nxt = next(it, None)
        if nxt is not None:
            g = client.submit(fn, nxt[1], pure=False)
            index[g.key] = nxt[0]
            ac.add(g)
    return [results[i] for i in range(len(results))]
