"""The ingest report: what each file of a batch lacks, in one place for a data steward.

``cubegraph ingest --report FILE`` writes it after the batch: for every path its outcome, the
cube, the error (a file that failed) and every note the catalogue holds on its cube (read
back from the store, so a cube left unchanged by this ingest is reported as fully as one
described now), with the rule each note cites; then the count of notes per kind. ``.json``
gives JSON (:meth:`IngestReport.to_json`), any other suffix a readable table
(:meth:`IngestReport.to_table`), ``-`` the table on stdout. A report file is written whole or
not at all (:func:`write_report`).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cubegraph.ingest.pipeline import IngestSummary
from cubegraph.kg.records.notes import CubeNote, read_notes
from cubegraph.ontology.cf_rules import NOTE_RULES

__all__ = ["FileReport", "IngestReport", "build_report", "write_report"]


@dataclass
class FileReport:
    """One path of the batch: its outcome, its cube, its error and its cube's notes."""

    path: str
    status: str
    cube: str | None
    error: str | None
    notes: list[CubeNote] = field(default_factory=list)


@dataclass
class IngestReport:
    """The whole batch (files in input order) and the notes per kind."""

    files: list[FileReport]

    @property
    def counts(self) -> dict[str, int]:
        """Notes per kind over every file, most frequent first."""
        return dict(Counter(n.code for f in self.files for n in f.notes).most_common())

    def to_json(self) -> str:
        rules = {code: {"rule": rule.label, "iri": rule.iri} for code, rule in NOTE_RULES.items()}
        return json.dumps({
            "files": [{
                "path": _text(f.path), "status": f.status, "cube": f.cube,
                "error": None if f.error is None else _text(f.error),
                "notes": [{"code": n.code, "about": None if n.about is None else _text(n.about),
                           "message": _text(n.message), "rule": n.rule} for n in f.notes],
            } for f in self.files],
            "counts": self.counts,
            "rules": {code: rules[code] for code in self.counts if code in rules},
        }, indent=2, ensure_ascii=False) + "\n"

    def to_table(self) -> str:
        """A plain-text report: counts per kind (with the rule each cites), then each file
        with its notes, one line each."""
        lines = [f"cubegraph ingest report: {len(self.files)} file(s), "
                 f"{sum(self.counts.values())} note(s)", ""]
        if self.counts:
            width = max(len(c) for c in self.counts)
            lines += ["notes per kind", "-" * 14]
            for code, count in self.counts.items():
                rule = NOTE_RULES.get(code)
                lines.append(f"{count:6d}  {code:<{width}}  {rule.label if rule else ''}".rstrip())
            lines.append("")
        lines += ["files", "-----"]
        for f in self.files:
            lines.append(f"{f.status:9s} {_line(f.path)}")
            if f.error:
                lines.append(f"    error: {_line(f.error)}")
            for n in f.notes:
                about = f" {_line(n.about)}" if n.about else ""
                lines.append(f"    [{n.code}]{about}: {_line(n.message)}")
        return "\n".join(lines) + "\n"


def build_report(store, summary: IngestSummary) -> IngestReport:
    """The report of ``summary``'s batch, each cube's notes read from ``store``."""
    files = []
    for r in summary.results:
        notes = read_notes(store, r.cube) if r.cube is not None and r.ok else []
        files.append(FileReport(str(r.path), r.status, None if r.cube is None else str(r.cube),
                                None if r.error is None else str(r.error), notes))
    return IngestReport(files)


def write_report(report: IngestReport, path: Path | str) -> None:
    """Write ``report`` to ``path``: JSON for ``.json``, else the table; ``-`` is stdout.

    A regular file (or a link to one: the file it points at) is written whole or not at
    all (a temporary file beside it, renamed over it, with the permissions a new file gets
    here); anything else that exists there (``/dev/stdout``, a named pipe) is written to as
    it is, never replaced.

    Raises:
        OSError: when it cannot be written (nothing is left behind).
    """
    if str(path) == "-":
        sys.stdout.write(report.to_table())
        sys.stdout.flush()
        return
    path = Path(path)
    text = report.to_json() if path.suffix.lower() == ".json" else report.to_table()
    data = text.encode("utf-8")
    target = path.resolve() if path.is_symlink() else path
    if target.exists() and not target.is_file():
        with open(target, "wb") as out:
            out.write(data)
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _text(value: str) -> str:
    """Text from a file or a path, printable as UTF-8: undecodable bytes (a file name in
    Latin-1, kept by Python as surrogates) as ``\\xe9``."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _line(value: str) -> str:
    """:func:`_text` on one line: a newline in a name or message does not break the table."""
    return _text(value).replace("\r", "\\r").replace("\n", "\\n")
