"""Importing a file of curated assets: every row accepted (inserted, updated or unchanged) or quarantined.

One file is one transaction: if anything fails part-way the database is left exactly as it was.
Rows are matched to stored assets by ``(source, id)``; a row without an id gets a stable one
from the source, its normalised name and its postcode, so importing the same file again changes
nothing. A second row with an id already seen in the file is quarantined as a duplicate (never
merged). A rejected row is quarantined with its original values and every reason; if the same
original row is already open in quarantine for the source, it is not added again.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ..errors import RegistryError
from ..taxonomy import Taxonomy, load_taxonomy
from .assets import store_asset
from .audit import write_audit
from .models import AuditLog, CuratedAsset, ImportBatch, QuarantineRow, dumps, utcnow
from .readers import RawRow, read_file
from .validate import FIELDS, Checks, derive_source_id, validate

T = TypeVar("T")
OUTCOMES = ("inserted", "updated", "unchanged", "quarantined")
_SOURCE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_.")


@dataclass
class RowOutcome:
    row: int
    source_id: str | None
    outcome: str  # one of OUTCOMES
    reasons: list[str] = field(default_factory=list)
    asset_id: str | None = None
    quarantine_id: int | None = None
    already_quarantined: bool = False


@dataclass
class ImportReport:
    batch_id: int
    source: str
    filename: str
    format: str
    sha256: str
    rows: list[RowOutcome]
    notes: dict[str, Any] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)  # source ids hidden: no longer in a complete list
    reinstated: list[str] = field(default_factory=list)  # source ids back in the list after a withdrawal

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(r.outcome for r in self.rows)
        out = {k: c.get(k, 0) for k in OUTCOMES}
        out["accepted"] = out["inserted"] + out["updated"] + out["unchanged"]
        out["rows"] = len(self.rows)
        return out

    @property
    def rejected(self) -> list[RowOutcome]:
        return [r for r in self.rows if r.outcome == "quarantined"]

    def reasons_by_kind(self) -> dict[str, int]:
        """How many rejections each field (or row-level problem) caused."""
        return dict(Counter(reason.split(":", 1)[0] for r in self.rejected for reason in r.reasons).most_common())

    def as_dict(self, rows: bool = True) -> dict[str, Any]:
        out = {"batch_id": self.batch_id, "source": self.source, "filename": self.filename, "format": self.format,
               "sha256": self.sha256, "counts": self.counts, "reasons_by_kind": self.reasons_by_kind(),
               "notes": self.notes, "ignored_columns": self.ignored_columns,
               "withdrawn": self.withdrawn, "reinstated": self.reinstated}
        if rows:
            out["rows"] = [asdict(r) for r in self.rows]
        return out

    def summary(self) -> str:
        c = self.counts
        text = (f"{self.filename} → source '{self.source}' (batch {self.batch_id}): {c['rows']} rows: {c['inserted']} "
                f"inserted, {c['updated']} updated, {c['unchanged']} unchanged, {c['quarantined']} quarantined")
        if self.withdrawn or self.reinstated:
            text += f"; {len(self.withdrawn)} withdrawn (hidden), {len(self.reinstated)} reinstated"
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


def _quarantine(session: Session, batch: ImportBatch, raw: RawRow, values: dict, reasons: list[str],
                open_rows: dict[str, QuarantineRow]) -> tuple[QuarantineRow, bool]:
    original = dumps(raw.original, sort_keys=False)
    fingerprint = hashlib.sha256(original.encode()).hexdigest()
    if fingerprint in open_rows:
        return open_rows[fingerprint], True
    q = QuarantineRow(batch_id=batch.id, source=batch.source, row_number=raw.number, fingerprint=fingerprint,
                      original_json=original, values_json=dumps({k: values.get(k) for k in FIELDS}),
                      reasons_json=dumps(reasons, sort_keys=False), status="open")
    session.add(q)
    open_rows[fingerprint] = q
    return q, False


def _withdrawn_by_import(session: Session, asset: CuratedAsset) -> bool:
    """True when the asset's latest change of status was a withdrawal by an import (not a curator's hiding)."""
    last = session.scalar(select(AuditLog.action).where(
        AuditLog.table_name == "curated_asset", AuditLog.record_id == asset.id,
        AuditLog.action.in_(("withdraw", "reinstate", "set_status"))).order_by(AuditLog.id.desc()).limit(1))
    return last == "withdraw"


def _complete_list(session: Session, stored: dict[str, CuratedAsset], outcomes: list[RowOutcome], seen: set[str],
                   who: str, where: str) -> tuple[list[str], list[str]]:
    """A complete list replaces the source's: published records missing from it are hidden (kept, and
    audited as withdrawn), and records it brings back after such a withdrawal are published again."""
    withdrawn, reinstated = [], []
    for sid, asset in sorted(stored.items()):
        if sid not in seen and asset.status == "published":
            write_audit(session, who, "withdraw", "curated_asset", asset.id, {"status": "published"},
                        {"status": "hidden", "reason": f"not in {where}"})
            asset.status, asset.updated_at = "hidden", utcnow()
            withdrawn.append(sid)
    for ro in outcomes:
        asset = stored.get(ro.source_id)
        if ro.outcome != "quarantined" and asset is not None and asset.status == "hidden" \
                and _withdrawn_by_import(session, asset):
            write_audit(session, who, "reinstate", "curated_asset", asset.id, {"status": "hidden"},
                        {"status": "published", "reason": f"back in {where}"})
            asset.status, asset.updated_at = "published", utcnow()
            reinstated.append(ro.source_id)
    return withdrawn, reinstated


def import_rows(session: Session, rows: list[RawRow], source: str, checks: Checks, *, filename: str, format: str,
                sha256: str, who: str, area: str | None = None, on_row: Callable[[int, RawRow], None] | None = None,
                notes: dict | None = None, ignored_columns: list[str] | None = None,
                complete: bool = False) -> ImportReport:
    """Validate and store already-read rows inside the caller's transaction (see :func:`import_file`)."""
    batch = ImportBatch(source=source, filename=filename[:500], format=format, sha256=sha256, user=who[:100],
                        rows=len(rows), inserted=0, updated=0, unchanged=0, quarantined=0)
    session.add(batch)
    session.flush()
    stored = {a.source_id: a for a in session.scalars(select(CuratedAsset).where(CuratedAsset.source == source))}
    open_rows = {q.fingerprint: q for q in session.scalars(
        select(QuarantineRow).where(QuarantineRow.source == source, QuarantineRow.status == "open"))}
    first_at: dict[str, int] = {}
    outcomes: list[RowOutcome] = []
    pending: list[tuple[RowOutcome, QuarantineRow]] = []
    for raw in rows:
        if on_row is not None:
            on_row(raw.number, raw)
        sid, derived = _source_id(source, raw.values)
        values = {**raw.values, "id": sid}
        reasons = list(raw.reasons)
        if sid in first_at:
            why = " (rows without an id get one from their name and postcode: this row repeats both)" if derived else ""
            reasons.append(f"id: duplicate id {sid!r}, first used in row {first_at[sid]}{why}; give every record its "
                           f"own id, or remove the repeat")
        else:
            first_at[sid] = raw.number
        result = validate(values, checks, reasons)
        if result.ok:
            outcome, asset = store_asset(session, source, result.values, who, area=area, batch_id=batch.id,
                                         existing=stored.get(sid))
            stored[sid] = asset
            outcomes.append(RowOutcome(raw.number, sid, outcome, asset_id=asset.id))
        else:
            q, again = _quarantine(session, batch, raw, values, result.reasons, open_rows)
            ro = RowOutcome(raw.number, sid, "quarantined", result.reasons, already_quarantined=again)
            outcomes.append(ro)
            pending.append((ro, q))
    session.flush()
    for ro, q in pending:
        ro.quarantine_id = q.id
    report = ImportReport(batch.id, source, filename, format, sha256, outcomes, notes or {}, ignored_columns or [])
    if complete:
        report.withdrawn, report.reinstated = _complete_list(session, stored, outcomes, set(first_at), who,
                                                             f"{filename} (import {batch.id})")
    counts = report.counts
    for k in OUTCOMES:
        setattr(batch, k, counts[k])
    batch.finished_at = utcnow()
    batch.report_json = dumps({**report.as_dict(rows=False),
                               "quarantined_rows": [asdict(r) for r in report.rejected]})
    return report


def import_file(target: Session | Engine, path: str | Path, source: str, *, format: str | None = None,
                encoding: str | None = None, mapping: dict[str, str] | None = None, lookup=None,
                taxonomy: Taxonomy | None = None, who: str | None = None, area: str | None = None,
                on_row: Callable[[int, RawRow], None] | None = None, today: date | None = None,
                complete: bool = False) -> ImportReport:
    """Import one file into the registry as source ``source``; see the module docstring.

    ``target`` is an engine (the import commits on success) or a session (a session already in a
    transaction gets a savepoint and the caller commits). ``lookup`` places postcodes: a
    :class:`~assetmap.postcodes.Geocoder`, a ``{postcode: (lat, lon)}`` mapping or a callable; without
    one, postcodes are checked for form only and rows need coordinates. ``on_row(number, row)`` is
    called before each row is handled (progress, or a test's injected failure). ``complete``: the file
    is the source's whole list, so its published records that the file no longer has are hidden
    (withdrawn: kept and audited, published again if a later complete list has them back); rows
    that fail validation still count as present.
    """
    check_source_name(source)
    path = Path(path)
    taxonomy = taxonomy or load_taxonomy()
    read, raw = read_file(path, format, encoding, mapping, taxonomy=taxonomy)
    checks = Checks(taxonomy, lookup, today or date.today())
    sha = hashlib.sha256(raw).hexdigest()
    return in_transaction(target, lambda s: import_rows(
        s, read.rows, source, checks, filename=path.name, format=read.format, sha256=sha, who=who or f"import:{source}",
        area=area, on_row=on_row, notes={**read.notes, "columns": read.columns}, ignored_columns=read.ignored_columns,
        complete=complete))


def recent_batches(session: Session, limit: int = 20) -> list[ImportBatch]:
    """The latest imports, newest first."""
    return list(session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)))
