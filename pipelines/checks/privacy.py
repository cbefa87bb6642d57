"""Is any personal data in what we publish? A scan for ID card and mobile numbers.

The roster's 身份证号 and 手机号 must never leave the private build (docs/raw-contract.md). This scan
reads everything a reader of the publication can read:

- every table of the published warehouse (every column, cast to text): the DuckDB file, or the
  federation database on a PostgreSQL server (a postgresql:// DSN),
- every file under `marts/<year>/`: Parquet as data (and its metadata), xlsx/docx as the XML inside
  them, PDF as its extracted text, DuckDB files as tables, everything else (html, json, csv, txt…)
  as text,
- the report and any log file given,

and looks for

- anything shaped like an 18-digit ID (`[1-9]\\d{16}[\\dXx]`) or an 11-digit mobile (`1[3-9]\\d{9}`)
  that is not part of a longer run of digits, and
- the exact values of a known list (the roster's own numbers, read from the private build).

Long hexadecimal tokens (content hashes of source files, 32+ hex digits with a letter) are left out
first: they are lineage, and an 11-digit run inside one is chance, not a phone number.

Findings never repeat the number they found: they show it masked (`139****0001`).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb

from pipelines.db.connect import connect, is_postgres
from pipelines.db.connect import quote_identifier as _quote

ID_PATTERN = re.compile(r"(?<!\d)[1-9]\d{16}[\dXx](?!\d)")
MOBILE_PATTERN = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_HASH_TOKEN = re.compile(r"(?<![0-9A-Za-z])(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{32,}(?![0-9A-Za-z])")
_DIGIT_RUN = re.compile(r"\d{11,}[Xx]?")
# SQL prefilter: only rows with a run of 11 digits can hold either kind of number
_SQL_RUN = "[0-9]{11}"

TEXT_SUFFIXES = {
    ".html",
    ".htm",
    ".json",
    ".csv",
    ".tsv",
    ".txt",
    ".md",
    ".log",
    ".svg",
    ".xml",
    ".yml",
    ".yaml",
    ".sql",
    ".jsonl",
}
ZIP_SUFFIXES = {".xlsx", ".xlsm", ".docx", ".pptx", ".zip"}


@dataclass(frozen=True)
class Finding:
    location: str  # file, table.column, or file#sheet…
    kind: str  # id_number | mobile_number | known_value
    masked: str

    def describe(self) -> str:
        names = {
            "id_number": "身份证号样式 ID-number pattern",
            "mobile_number": "手机号样式 mobile-number pattern",
            "known_value": "名册中的号码 a roster value",
        }
        return f"{self.location}: {names.get(self.kind, self.kind)} {self.masked}"


def mask(value: str) -> str:
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def _normalise_known(values: Iterable[str | None]) -> frozenset[str]:
    out = set()
    for value in values:
        if value is None:
            continue
        text = re.sub(r"[\s-]", "", str(value)).upper()
        if len(text) >= 11:  # a mobile's length; shorter values would match amounts by chance
            out.add(text)
    return frozenset(out)


def scan_text(text: str, location: str, known: Iterable[str] = frozenset()) -> list[Finding]:
    """Findings in one piece of text. `known` as a frozenset is taken as normalised already (the
    scanners pass theirs on); any other collection is normalised here."""
    if not isinstance(known, frozenset):
        known = _normalise_known(known)
    if not text:
        return []
    text = _HASH_TOKEN.sub(" ", text)
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, value: str) -> None:
        if (kind, value) not in seen:
            seen.add((kind, value))
            findings.append(Finding(location, kind, mask(value)))

    for match in ID_PATTERN.finditer(text):
        add("id_number", match.group(0))
    for match in MOBILE_PATTERN.finditer(text):
        add("mobile_number", match.group(0))
    if known:
        # every window of a known value's length in every long digit run: a roster value is found
        # inside a longer number too, at the cost of the text's length, not the roster's
        upper = text.upper()
        lengths, others = _shape(known)
        for match in _DIGIT_RUN.finditer(upper):
            run = match.group(0)
            for length in lengths:
                for start in range(len(run) - length + 1):
                    if run[start : start + length] in known:
                        add("known_value", run[start : start + length])
        for value in others:
            if value in upper:
                add("known_value", value)
    return findings


@lru_cache(maxsize=8)
def _shape(known: frozenset[str]) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """The lengths of the known values, and those that are not digit strings (found by plain
    search). Cached: a frozenset keeps its hash, so a roster of thousands costs this once."""
    lengths = tuple(sorted({len(v) for v in known}))
    others = tuple(sorted(v for v in known if not v[:-1].isdigit()))
    return lengths, others


# --- DuckDB ------------------------------------------------------------------------------------


def scan_duckdb(
    path: Path, known: Iterable[str] = (), schemas: Sequence[str] | None = None
) -> list[Finding]:
    """Every column of every table (or of `schemas`), read-only."""
    known = _normalise_known(known)
    findings: list[Finding] = []
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema not in ('information_schema', 'pg_catalog') order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            if schemas is not None and schema not in schemas:
                continue
            findings += _scan_relation(
                con, f"{_quote(schema)}.{_quote(table)}", f"{path.name}:{schema}.{table}", known
            )
    return findings


def scan_postgres(dsn: str, known: Iterable[str] = ()) -> list[Finding]:
    """Every column of every table and view of a PostgreSQL database (the federation database),
    in a read-only session."""
    # start-up: psycopg loads only for a PostgreSQL build
    from pipelines.db.postgres import PgConnection, dsn_parts

    known = _normalise_known(known)
    findings: list[Finding] = []
    name = dsn_parts(dsn)["dbname"]
    with PgConnection(dsn, read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema not in ('information_schema', 'pg_catalog') order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            findings += _scan_relation(
                con, f"{_quote(schema)}.{_quote(table)}", f"{name}:{schema}.{table}", known
            )
    return findings


def _matches(con, text: str) -> str:
    """`text` holds a run of 11 digits, in the connection's SQL."""
    if getattr(con, "dialect", "duckdb") == "postgres":
        return f"({text}) ~ '{_SQL_RUN}'"
    return f"regexp_matches({text}, '{_SQL_RUN}')"


def _scan_relation(con, relation: str, location: str, known: frozenset[str]) -> list[Finding]:
    columns = [r[0] for r in con.execute(f"select * from {relation} limit 0").description]
    findings: list[Finding] = []
    if not columns:
        return findings
    # one pass over the whole relation first: a clean table (the usual case) costs one query
    every_value = ", ".join(f"cast({_quote(c)} as varchar)" for c in columns)
    suspect = con.execute(
        f"select count(*) from {relation} "
        f"where {_matches(con, f'concat_ws(chr(31), {every_value})')}"
    ).fetchall()[0][0]
    for column in columns:
        findings += scan_text(column, f"{location} (column name)", known)
    if not suspect:
        return findings
    for column in columns:
        text = f"cast({_quote(column)} as varchar)"
        rows = con.execute(
            f"select distinct {text} from {relation} where {_matches(con, text)}"
        ).fetchall()
        for (value,) in rows:
            findings += scan_text(value, f"{location}.{column}", known)
    return _dedupe(findings)


# --- files -------------------------------------------------------------------------------------


def scan_parquet(path: Path, known: frozenset[str]) -> list[Finding]:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    findings = scan_text(str(parquet.schema_arrow), f"{path.name} (schema)", known)
    metadata = parquet.schema_arrow.metadata or {}
    for key, value in metadata.items():
        findings += scan_text(
            key.decode("utf-8", "replace") + " " + value.decode("utf-8", "replace"),
            f"{path.name} (metadata)",
            known,
        )
    con = _memory()
    view = f"parquet_{hashlib.sha256(str(path).encode()).hexdigest()[:16]}"
    con.read_parquet(str(path)).create_view(view)
    try:
        findings += _scan_relation(con, view, path.name, known)
    finally:
        con.execute(f"drop view {view}")
    return findings


@lru_cache(maxsize=1)
def _memory() -> duckdb.DuckDBPyConnection:
    """One in-memory connection for reading Parquet files (opening one per file costs more than
    scanning a small file)."""
    return duckdb.connect(":memory:")


def scan_zip(path: Path, known: frozenset[str]) -> list[Finding]:
    """xlsx/docx: every part of the package as text (cells, shared strings, comments, properties)."""
    findings: list[Finding] = []
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            content = archive.read(member)
            text = content.decode("utf-8", "replace")
            if member.endswith(".xml") or member.endswith(".rels"):
                text = re.sub(r"<[^>]+>", " ", text)
            findings += scan_text(text, f"{path.name}#{member}", known)
    return findings


def scan_pdf(path: Path, known: frozenset[str]) -> list[Finding]:
    return scan_text(
        _pdf_text(hashlib.sha256(path.read_bytes()).hexdigest(), str(path)), path.name, known
    )


@lru_cache(maxsize=32)
def _pdf_text(content_sha256: str, path: str) -> str:
    """The PDF's text and metadata (cached by content: extracting a CJK PDF takes a second)."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    info = " ".join(str(v) for v in (reader.metadata or {}).values())
    # two-byte glyph codes without a Unicode map come out with NULs between the digits
    return (text + "\n" + info).replace("\x00", "")


def scan_file(path: Path, known: Iterable[str] = ()) -> list[Finding]:
    """One file, by its kind (see the module's docstring)."""
    known = _normalise_known(known)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return scan_parquet(path, known)
    if suffix in ZIP_SUFFIXES and zipfile.is_zipfile(path):
        return scan_zip(path, known)
    if suffix == ".pdf":
        return scan_pdf(path, known)
    if suffix in {".duckdb", ".db"}:
        return scan_duckdb(path, known)
    raw = path.read_bytes()
    text = raw.decode("utf-8", "replace")
    if suffix not in TEXT_SUFFIXES and "\ufffd" in text:
        text = raw.decode("latin-1")  # a binary file: its ASCII digits still show
    return scan_text(text, path.name, known)


def _files_under(directory: Path) -> Iterator[Path]:
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            yield path


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))


def scan_publication(
    warehouse: Path | str | None,
    year_dir: Path | None,
    logs: Sequence[Path] = (),
    known_values: Iterable[str] = (),
    extra_files: Sequence[Path] = (),
) -> list[Finding]:
    """Every finding in the published warehouse, every file under marts/<year>/, the given logs
    and extra files (the report). An empty list means the publication is clean."""
    known = _normalise_known(known_values)
    findings: list[Finding] = []
    if warehouse is not None and is_postgres(warehouse):
        findings += scan_postgres(str(warehouse), known)
    elif warehouse is not None and Path(warehouse).exists():
        findings += scan_duckdb(Path(warehouse), known)
    if year_dir is not None and Path(year_dir).exists():
        for path in _files_under(Path(year_dir)):
            findings += [
                Finding(
                    f"{path.relative_to(year_dir.parent)}{f.location[len(path.name) :]}",
                    f.kind,
                    f.masked,
                )
                if f.location.startswith(path.name)
                else f
                for f in scan_file(path, known)
            ]
    for path in [*logs, *extra_files]:
        if Path(path).exists():
            findings += scan_file(Path(path), known)
    return _dedupe(findings)


def known_values_from_build(
    build: Path | str, columns: Sequence[str] = ("id_card_number", "mobile_number")
) -> list[str]:
    """The roster's own ID and mobile numbers, from the private build's raw.members (a DuckDB
    build file, or a build database's DSN)."""
    with connect(build, read_only=True) as con:
        present = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'raw' and table_name = 'members'"
            ).fetchall()
        }
        wanted = [c for c in columns if c in present]
        values: list[str] = []
        for column in wanted:
            values += [
                r[0]
                for r in con.execute(
                    f"select distinct cast({_quote(column)} as varchar) from raw.members "
                    f"where {_quote(column)} is not null"
                ).fetchall()
            ]
    return values
