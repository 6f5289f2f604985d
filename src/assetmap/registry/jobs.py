"""Imports run in the background (for large uploads from the curator pages), with progress any
web worker can show.

A job is a row of ``import_job``. :func:`run_job` works in two passes over the stored upload:

1. **checking**: the file is read and every row validated (a dry run: nothing written to the
   registry), committing ``rows_read`` / ``accepted`` / ``quarantined`` every few hundred rows;
2. **saving**: the real import, in one transaction (the registry is unchanged if it fails);
   ``rows_saved`` is committed as it goes where the database allows a second writer
   (PostgreSQL; SQLite holds one writer at a time, so there it jumps from 0 to the total).

It ends ``done`` (with the import batch and a summary) or ``failed`` (with a sentence naming the
fix). ``worker`` names the process (host, pid and start time): a job whose process is gone is
reported failed by :func:`job_view`, not "running" for ever; so is a job silent for
:data:`STALE_AFTER` on another host.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ..errors import RegistryError
from .failures import explain
from .importer import import_file
from .limits import Limits
from .models import ImportJob, dumps, utcnow

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=30)
PROGRESS_EVERY = 0.5  # seconds between progress commits
ACTIVE = ("queued", "checking", "saving")
DIED = ("the process running this import stopped (the server was restarted, or the worker was killed) before it "
        "finished; nothing from the file was stored: import the file again")


def _start_ticks(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def this_worker() -> str:
    """``host:pid:start`` of this process (start from /proc, so a reused pid is not mistaken for it)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_start_ticks(os.getpid()) or '?'}"


def worker_alive(worker: str | None) -> bool | None:
    """True/False for a worker on this host; None when it runs elsewhere (only its heartbeat tells)."""
    if not worker:
        return None
    host, _, rest = worker.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return start in ("", "?") or _start_ticks(pid) == start


@dataclass
class JobView:
    job: ImportJob
    status: str  # the stored status, or "failed" for a job whose worker died
    error: str | None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def job_view(job: ImportJob, now: datetime | None = None) -> JobView:
    """The job as a curator should see it: an active job whose worker is gone is failed."""
    if job.status not in ACTIVE:
        return JobView(job, job.status, job.error)
    now = now or utcnow()
    beat = job.heartbeat_at or job.created_at
    if beat is not None and beat.tzinfo is None:
        beat = beat.replace(tzinfo=UTC)
    alive = worker_alive(job.worker)
    if alive is False or (alive is None and beat is not None and now - beat > STALE_AFTER):
        return JobView(job, "failed", DIED)
    return JobView(job, job.status, None)


def create_job(session: Session, *, source: str, filename: str, who: str, format: str | None = None,
               encoding: str | None = None, area: str | None = None, complete: bool = False) -> ImportJob:
    job = ImportJob(status="queued", source=source, filename=filename[:500], format=format, encoding=encoding,
                    area=area, complete=complete, user=who[:100], worker=this_worker(), rows_read=0, accepted=0,
                    quarantined=0, rows_saved=0, created_at=utcnow(), heartbeat_at=utcnow())
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None:
        raise RegistryError(f"no import job {job_id}; start the import again from the import page")
    return job


def recent_jobs(session: Session, limit: int = 10) -> list[ImportJob]:
    return list(session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)))


class _Progress:
    """Commits a job's counters in short transactions of their own, at most every PROGRESS_EVERY seconds."""

    def __init__(self, engine: Engine, job_id: int):
        self.engine, self.job_id, self.last = engine, job_id, 0.0
        self.can_write_while_saving = engine.dialect.name != "sqlite"

    def set(self, force: bool = False, **values) -> None:
        """Commit ``values``: a progress update (``force=False``) is skipped if the database is busy; a change
        of status (``force=True``) is tried for a few seconds before giving up."""
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        for attempt in range(4 if force else 1):
            try:
                with self.engine.begin() as conn:
                    conn.execute(update(ImportJob).where(ImportJob.id == self.job_id)
                                 .values(heartbeat_at=utcnow(), **values))
                return
            except OperationalError:
                if not force:
                    log.info("import job %s: progress not recorded (database busy)", self.job_id)
                    return
                if attempt == 3:
                    raise
                time.sleep(1 + attempt)

    def checking(self, counts: dict) -> None:
        self.set(rows_read=counts["rows"], accepted=counts["accepted"], quarantined=counts["quarantined"])

    def saving(self, counts: dict) -> None:
        if self.can_write_while_saving:
            self.set(rows_saved=counts["rows"])


def run_job(engine: Engine, job_id: int, path: str | Path, *, lookup=None, taxonomy=None,
            limits: Limits = Limits(), delete: bool = True) -> None:
    """Run the job's two passes over ``path`` (see the module docstring); never raises."""
    progress = _Progress(engine, job_id)
    try:
        with Session(engine) as s:
            job = get_job(s, job_id)
            kw = dict(format=job.format or None, encoding=job.encoding or None, lookup=lookup, taxonomy=taxonomy,
                      who=job.user, area=job.area, complete=job.complete, limits=limits, keep_rows=1000)
            source = job.source
        progress.set(force=True, status="checking", worker=this_worker())
        checked = import_file(None, path, source, on_progress=progress.checking, **kw)
        c = checked.counts
        progress.set(force=True, status="saving", rows_read=c["rows"], accepted=c["accepted"],
                     quarantined=c["quarantined"])
        report = import_file(engine, path, source, on_progress=progress.saving, **kw)
        c = report.counts
        progress.set(force=True, status="done", rows_read=c["rows"], accepted=c["accepted"],
                     quarantined=c["quarantined"], rows_saved=c["rows"], batch_id=report.batch_id,
                     finished_at=utcnow(), report_json=dumps({"summary": report.summary(), "counts": c,
                                                              "withdrawn": len(report.withdrawn),
                                                              "reinstated": len(report.reinstated)}))
    except Exception as exc:  # the job must end failed, with a sentence, whatever happened
        why = str(exc) if isinstance(exc, RegistryError) else explain(exc, "the registry database", "the import")
        if why is None:
            log.exception("import job %s failed", job_id)
            why = (f"the import stopped on an unexpected error ({type(exc).__name__}); nothing from the file was "
                   f"stored; the server log has the details")
        try:
            progress.set(force=True, status="failed", error=why, finished_at=utcnow())
        except Exception:  # the database itself is gone: job_view will report the job failed once stale
            log.exception("import job %s: could not record its failure", job_id)
    finally:
        if delete:
            Path(path).unlink(missing_ok=True)


def start_job(engine: Engine, job_id: int, path: str | Path, **kw) -> threading.Thread:
    """Run :func:`run_job` in a daemon thread of this process (the request that started it returns at once)."""
    thread = threading.Thread(target=run_job, args=(engine, job_id, path), kwargs=kw, name=f"import-job-{job_id}",
                              daemon=True)
    thread.start()
    return thread
