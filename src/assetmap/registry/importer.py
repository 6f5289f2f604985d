"""Importing a file of curated assets: every row accepted (inserted, updated or unchanged) or quarantined.

One file is one transaction: if anything fails part-way the database is left exactly as it was.
Rows are read, validated and stored as a stream, :data:`CHUNK` at a time (flushed, then dropped
from the session), so memory does not grow with the file: repeated ids are found through a
temporary SQLite file (:mod:`.seen`), and the report keeps counts of every row but the outcome of
only the first :data:`KEEP_ROWS` rows. Rows are matched to stored assets by ``(source, id)``; a row
without an id gets a stable one from the source, its normalised name and its postcode, so importing
the same file again changes nothing. A second row with an id already seen in the file is
quarantined as a duplicate (never merged). A rejected row is quarantined with its original values
(cells over :data:`KEPT_CELL` characters cut, saying so) and every reason; if the same original row
is already open in quarantine for the source, it is not added again.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from ..errors import RegistryError
from ..taxonomy import Taxonomy, load_taxonomy
from .assets import new_asset, store_asset
from .audit import write_audit
from .import_files import preflight, read_file
from .limits import Limits
from .models import AuditLog, CuratedAsset, ImportBatch, QuarantineRow, displayable, dumps, utcnow
from .readers import RawRow
from .seen import SeenIds
from .validate import FIELDS, Checks, derive_source_id, validate

T = TypeVar("T")
OUTCOMES = ("inserted", "updated", "unchanged", "quarantined")
_SOURCE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
CHUNK = 500  # rows validated and stored together
KEEP_ROWS = 10_000  # row outcomes kept in the report (counts cover every row)
KEPT_CELL = 10_000  # characters of one cell kept in a quarantined row


@dataclass
class RowOutcome:
    row: int
    source_id: str | None
    outcome: str  # one of OUTCOMES, or "valid" in a dry run
    reasons: list[str] = field(default_factory=list)
    asset_id: str | None = None
    quarantine_id: int | None = None
    already_quarantined: bool = False


@dataclass
class ImportReport:
    batch_id: int | None
    source: str
    filename: str
    format: str
    sha256: str
    rows: list[RowOutcome]  # the first ``keep_rows`` rows' outcomes
    notes: dict[str, Any] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)  # source ids hidden: no longer in a complete list
    reinstated: list[str] = field(default_factory=list)  # source ids back in the list after a withdrawal
    tally: Counter = field(default_factory=Counter)  # outcome -> rows, over every row
    kinds: Counter = field(default_factory=Counter)  # rejection kind -> rows, over every row
    warnings: list[dict] = field(default_factory=list)  # plausibility cautions of accepted rows (first keep_rows)
    keep_rows: int = KEEP_ROWS

    def add(self, outcome: RowOutcome) -> None:
        self.tally[outcome.outcome] += 1
        self.kinds.update(reason.split(":", 1)[0] for reason in outcome.reasons)
        if len(self.rows) < self.keep_rows:
            self.rows.append(outcome)

    @property
    def counts(self) -> dict[str, int]:
        out = {k: self.tally.get(k, 0) for k in OUTCOMES}
        out["accepted"] = out["inserted"] + out["updated"] + out["unchanged"] + self.tally.get("valid", 0)
        out["rows"] = sum(self.tally.values())
        return out

    @property
    def rejected(self) -> list[RowOutcome]:
        """The quarantined rows among those kept (all of them unless the file had over ``keep_rows`` rows)."""
        return [r for r in self.rows if r.outcome == "quarantined"]

    def reasons_by_kind(self) -> dict[str, int]:
        """How many rejections each field (or row-level problem) caused."""
        return dict(self.kinds.most_common())

    def as_dict(self, rows: bool = True) -> dict[str, Any]:
        out = {"batch_id": self.batch_id, "source": self.source, "filename": self.filename, "format": self.format,
               "sha256": self.sha256, "counts": self.counts, "reasons_by_kind": self.reasons_by_kind(),
               "notes": self.notes, "ignored_columns": self.ignored_columns,
               "withdrawn": self.withdrawn, "reinstated": self.reinstated, "warnings": self.warnings}
        if rows:
            out["rows"] = [asdict(r) for r in self.rows]
            out["rows_listed"] = f"the first {len(self.rows)} of {out['counts']['rows']}"
        return out

    def summary(self) -> str:
        c = self.counts
        text = (f"{self.filename} → source '{self.source}' (batch {self.batch_id}): {c['rows']} rows: {c['inserted']} "
                f"inserted, {c['updated']} updated, {c['unchanged']} unchanged, {c['quarantined']} quarantined")
        if self.withdrawn or self.reinstated:
            text += f"; {len(self.withdrawn)} withdrawn (hidden), {len(self.reinstated)} reinstated"
        if "services_kept" in self.notes:
            text += (f"; {self.notes['services_kept']} of {self.notes['services']} services kept "
                     f"({self.notes['services_area_wide']} area-wide, with no location)")
        return text


def check_source_name(source: str) -> str:
    if not source or len(source) > 64 or not set(source) <= _SOURCE_CHARS or not source[0].isalnum():
        raise RegistryError(f"source name {source!r} must be 1–64 lower-case letters, digits, '-', '_' or '.', "
                            f"starting with a letter or digit (e.g. chesterfield-council)")
    return source


def in_transaction(target: Session | Engine, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction: its own (committed) for an engine or an idle session; a savepoint
    inside a session that is already in a transaction (the caller commits). Any error rolls it back."""
    if isinstance(target, Engine):
        with Session(target, expire_on_commit=False) as session, session.begin():
            return work(session)
    if target.in_transaction():
        with target.begin_nested():
            return work(target)
    with target.begin():
        return work(target)


def _source_id(source: str, values: dict[str, Any]) -> tuple[str, bool]:
    given = values.get("id")
    if isinstance(given, (int, float)) and not isinstance(given, bool):
        given = str(given)
    if isinstance(given, str) and given.strip():
        return given.strip(), False
    return derive_source_id(source, values.get("name"), values.get("postcode")), True


def _clip(value: Any) -> Any:
    """A cell to keep in quarantine: text over :data:`KEPT_CELL` characters is cut, saying how long it was."""
    if isinstance(value, str) and len(value) > KEPT_CELL:
        return value[:KEPT_CELL] + f" … [cut here: the file's text was {len(value):,} characters]"
    if isinstance(value, dict):
        return {k: _clip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clip(v) for v in value]
    return value


def _quarantine_row(batch: ImportBatch, raw: RawRow, values: dict, reasons: list[str]) -> QuarantineRow:
    """The row as kept: bytes that were not UTF-8 shown as ``\\xff`` in the original and as U+FFFD in the
    editable values (so the row can be shown, fixed and released), long cells cut."""
    original = dumps(_clip(raw.original), sort_keys=False)
    fields = displayable(_clip({k: values.get(k) for k in FIELDS}), "\ufffd")
    return QuarantineRow(batch_id=batch.id, source=batch.source, row_number=raw.number,
                         fingerprint=hashlib.sha256(original.encode()).hexdigest(), original_json=original,
                         values_json=dumps(fields), reasons_json=dumps(reasons, sort_keys=False), status="open")


def _withdrawn_by_import(session: Session, asset: CuratedAsset) -> bool:
    """True when the asset's latest change of status was a withdrawal by an import (not a curator's hiding)."""
    last = session.scalar(select(AuditLog.action).where(
        AuditLog.table_name == "curated_asset", AuditLog.record_id == asset.id,
        AuditLog.action.in_(("withdraw", "reinstate", "set_status"))).order_by(AuditLog.id.desc()).limit(1))
    return last == "withdraw"


class _Import:
    """One import's state while its rows stream through (see :func:`import_rows`)."""

    def __init__(self, session: Session | None, batch: ImportBatch | None, report: ImportReport, checks: Checks,
                 who: str, area: str | None, complete: bool, where: str):
        self.session, self.batch, self.report, self.checks = session, batch, report, checks
        self.who, self.area, self.complete, self.where = who, area, complete, where
        self.seen = SeenIds()

    def chunk(self, raws: list[RawRow]) -> None:
        source = self.report.source
        ids = [_source_id(source, raw.values) for raw in raws]
        repeats = self.seen.first_rows([(sid, raw.number) for raw, (sid, _) in zip(raws, ids, strict=False)])
        checked = []
        for i, (raw, (sid, derived)) in enumerate(zip(raws, ids, strict=False)):
            reasons = list(raw.reasons)
            if i in repeats:
                why = (" (rows without an id get one from their name and postcode: this row repeats both)"
                       if derived else "")
                reasons.append(f"id: duplicate id {sid!r}, first used in row {repeats[i]}{why}; give every record its "
                               f"own id, or remove the repeat")
            values = {**raw.values, "id": sid}
            checked.append((raw, sid, values, validate(values, self.checks, reasons)))
            if checked[-1][3].warnings and len(self.report.warnings) < self.report.keep_rows:
                self.report.warnings.append({"row": raw.number, "id": sid, "warnings": checked[-1][3].warnings})
        if self.session is None:  # a dry run: validation only
            for raw, sid, _, result in checked:
                self.report.add(RowOutcome(raw.number, sid, "valid" if result.ok else "quarantined", result.reasons))
            return
        self._store(checked)

    def _store(self, checked: list) -> None:
        s, source = self.session, self.report.source
        ok = [sid for _, sid, _, result in checked if result.ok]
        stored = {a.source_id: a for a in s.scalars(select(CuratedAsset).where(
            CuratedAsset.source == source, CuratedAsset.source_id.in_(ok)))} if ok else {}
        rejected = [(raw, _quarantine_row(self.batch, raw, values, result.reasons), result)
                    for raw, _, values, result in checked if not result.ok]
        fps = list({q.fingerprint for _, q, _ in rejected})
        open_rows = {q.fingerprint: q for q in s.scalars(select(QuarantineRow).where(
            QuarantineRow.source == source, QuarantineRow.status == "open",
            QuarantineRow.fingerprint.in_(fps)))} if fps else {}
        pending, quarantined, new_assets, new_audits = [], iter(rejected), [], []
        for raw, sid, _, result in checked:
            if result.ok and stored.get(sid) is None:  # new: inserted in bulk below
                row, audit = new_asset(source, result.values, self.who, area=self.area, batch_id=self.batch.id)
                new_assets.append(row)
                new_audits.append(audit)
                self.report.add(RowOutcome(raw.number, sid, "inserted", asset_id=row["id"]))
                continue
            if result.ok:
                existing = stored[sid]
                outcome, asset = store_asset(s, source, result.values, self.who, area=self.area,
                                             batch_id=self.batch.id, existing=existing)
                if self.complete:
                    self._reinstate(existing, sid)
                self.report.add(RowOutcome(raw.number, sid, outcome, asset_id=asset.id))
                continue
            _, q, _ = next(quarantined)
            again = q.fingerprint in open_rows
            if again:
                q = open_rows[q.fingerprint]
            else:
                s.add(q)
                open_rows[q.fingerprint] = q
            ro = RowOutcome(raw.number, sid, "quarantined", result.reasons, already_quarantined=again)
            self.report.add(ro)
            pending.append((ro, q))
        if new_assets:
            s.execute(insert(CuratedAsset), new_assets)
            s.execute(insert(AuditLog), new_audits)
        s.flush()
        for ro, q in pending:
            ro.quarantine_id = q.id
        for obj in list(s.identity_map.values()):  # keep the session small: what is flushed is not needed again
            if isinstance(obj, (CuratedAsset, QuarantineRow, AuditLog)):
                s.expunge(obj)

    def _reinstate(self, asset: CuratedAsset, sid: str) -> None:
        if asset.status == "hidden" and _withdrawn_by_import(self.session, asset):
            write_audit(self.session, self.who, "reinstate", "curated_asset", asset.id, {"status": "hidden"},
                        {"status": "published", "reason": f"back in {self.where}"})
            asset.status, asset.updated_at = "published", utcnow()
            if len(self.report.reinstated) < self.report.keep_rows:
                self.report.reinstated.append(sid)

    def withdraw_missing(self) -> None:
        """A complete list replaces the source's: published records missing from it are hidden (kept, and
        audited as withdrawn); records it brought back after such a withdrawal were published again."""
        s = self.session
        published = s.execute(select(CuratedAsset.source_id).where(
            CuratedAsset.source == self.report.source, CuratedAsset.status == "published")
            .order_by(CuratedAsset.source_id)).scalars().all()
        for i in range(0, len(published), CHUNK):
            missing = self.seen.missing(published[i:i + CHUNK])
            if not missing:
                continue
            for asset in s.scalars(select(CuratedAsset).where(CuratedAsset.source == self.report.source,
                                                              CuratedAsset.source_id.in_(missing))):
                write_audit(s, self.who, "withdraw", "curated_asset", asset.id, {"status": "published"},
                            {"status": "hidden", "reason": f"not in {self.where}"})
                asset.status, asset.updated_at = "hidden", utcnow()
                if len(self.report.withdrawn) < self.report.keep_rows:
                    self.report.withdrawn.append(asset.source_id)
            s.flush()


def import_rows(session: Session | None, rows: Iterable[RawRow], source: str, checks: Checks, *, filename: str,
                format: str, sha256: str | Callable[[], str], who: str, area: str | None = None,
                on_row: Callable[[int, RawRow], None] | None = None,
                on_progress: Callable[[dict[str, int]], None] | None = None, notes: dict | None = None,
                ignored_columns: list[str] | None = None, complete: bool = False,
                keep_rows: int = KEEP_ROWS) -> ImportReport:
    """Validate and store rows as they come, inside the caller's transaction (see :func:`import_file`).

    ``session=None`` is a dry run: rows are read and validated (outcome ``valid`` or ``quarantined``)
    and nothing is read from or written to the database. ``on_progress(counts)`` is called after
    every :data:`CHUNK` rows; ``notes`` may be filled in by the reader as rows are read."""
    batch = None
    if session is not None:
        batch = ImportBatch(source=source, filename=filename[:500], format=format, sha256="", user=who[:100],
                            rows=0, inserted=0, updated=0, unchanged=0, quarantined=0)
        session.add(batch)
        session.flush()
    report = ImportReport(batch.id if batch else None, source, filename, format, "", [], {}, ignored_columns or [],
                          keep_rows=keep_rows)
    run = _Import(session, batch, report, checks, who, area, complete, f"{filename} (import {report.batch_id})")
    try:
        chunk: list[RawRow] = []
        for raw in rows:
            if on_row is not None:
                on_row(raw.number, raw)
            chunk.append(raw)
            if len(chunk) >= CHUNK:
                run.chunk(chunk)
                chunk = []
                if on_progress is not None:
                    on_progress(report.counts)
        if chunk:
            run.chunk(chunk)
        if complete and session is not None:
            run.withdraw_missing()
    finally:
        run.seen.close()
    report.sha256 = sha256() if callable(sha256) else sha256
    report.notes = dict(notes or {})
    if on_progress is not None:
        on_progress(report.counts)
    if batch is not None:
        counts = report.counts
        batch.rows, batch.sha256, batch.finished_at = counts["rows"], report.sha256, utcnow()
        for k in OUTCOMES:
            setattr(batch, k, counts[k])
        batch.report_json = dumps({**report.as_dict(rows=False),
                                   "quarantined_rows": [asdict(r) for r in report.rejected[:1000]]})
    return report


def import_file(target: Session | Engine | None, path: str | Path, source: str, *, format: str | None = None,
                encoding: str | None = None, mapping: dict[str, str] | None = None, lookup=None,
                taxonomy: Taxonomy | None = None, who: str | None = None, area: str | None = None,
                on_row: Callable[[int, RawRow], None] | None = None,
                on_progress: Callable[[dict[str, int]], None] | None = None, today: date | None = None,
                complete: bool = False, limits: Limits = Limits(), keep_rows: int = KEEP_ROWS) -> ImportReport:
    """Import one file into the registry as source ``source``; see the module docstring.

    ``target`` is an engine (the import commits on success), a session (a session already in a
    transaction gets a savepoint and the caller commits) or ``None`` for a dry run (read and validate
    only). ``lookup`` places postcodes: a :class:`~assetmap.ingest.postcodes.Geocoder`, a ``{postcode: (lat,
    lon)}`` mapping or a callable; without one, postcodes are checked for form only and rows need
    coordinates. ``on_row(number, row)`` is called before each row is handled (a test's injected
    failure); ``on_progress(counts)`` after every chunk. ``complete``: the file is the source's whole
    list, so its published records that the file no longer has are hidden (withdrawn: kept and
    audited, published again if a later complete list has them back); rows that fail validation
    still count as present. ``limits``: see :class:`~.limits.Limits` (unpacked size, JSON depth).
    """
    check_source_name(source)
    path = Path(path)
    taxonomy = taxonomy or load_taxonomy()
    checks = Checks(taxonomy, lookup, today or date.today())
    if path.name.lower().endswith(".gz"):
        preflight(path, format, limits)  # a decompression bomb stops here, in a fraction of a second
    read = read_file(path, format, encoding, mapping, taxonomy=taxonomy, limits=limits)
    read.notes["columns"] = read.columns

    def work(session: Session | None) -> ImportReport:
        report = import_rows(session, read.rows, source, checks, filename=path.name, format=read.format,
                             sha256=read.sha256, who=who or f"import:{source}", area=area, on_row=on_row,
                             on_progress=on_progress, notes=read.notes, ignored_columns=read.ignored_columns,
                             complete=complete, keep_rows=keep_rows)
        if read.hsds is not None and session is not None:  # an ORUK feed: its services, after their locations
            from .hsds_store import store_services

            report.notes["services_stored"] = store_services(session, read.hsds, source, who or f"import:{source}",
                                                             area=area, batch_id=report.batch_id)
        return report

    try:
        return work(None) if target is None else in_transaction(target, work)
    finally:
        read.close()


def recent_batches(session: Session, limit: int = 20) -> list[ImportBatch]:
    """The latest imports, newest first."""
    return list(session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)))
