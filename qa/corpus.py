"""Read sources from the corpus folder: .txt, .md, .html and .pdf files plus sources.toml metadata.

This is the only module that reads corpus files. Each loader returns the text as ingested and the
segments of it worth indexing; chrome, bare link lists and headings stay in the text (so character
offsets stay true to the file) but out of the segments.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import ConfigError, SourceError
from qa.types import Source

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
MANIFEST = "sources.toml"
# Files that describe the corpus rather than belong to it.
NOT_SOURCES = {"readme.md", "readme.txt", MANIFEST}
GOLD_FOLDER = "eval"
MAX_SOURCE_BYTES = 20_000_000

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_BARE_LINK = re.compile(r"^\s*(?:[-*+]\s+)?<?(?:https?://|www\.)\S+")
# A news photo caption ends with its credit glued on: "...on March 30, 2010.Sean Kilpatrick/The
# Canadian Press". Such a line is labelled so "photo" questions can find it.
_PHOTO_CREDIT = re.compile(r"[.!?]\s*[A-Z][\w.'-]+(?: [A-Z][\w.'-]+)+/(?:The )?[A-Z][\w&'. -]+$")
PHOTO_CAPTION = "Photo caption"
_TERMINAL = re.compile(r"[.!?:;\"'”’)\]]\s*$")


@dataclass(frozen=True)
class SourceMeta:
    title: str = ""
    url: str = ""
    date: str = ""
    kind: str = "background"
    authority: float = 0.5


@dataclass(frozen=True)
class Manifest:
    """What sources.toml says: per-file metadata, page-chrome line patterns, starter questions."""

    sources: dict[str, SourceMeta] = field(default_factory=dict)
    boilerplate: tuple[re.Pattern[str], ...] = ()
    starters: tuple[str, ...] = ()  # questions the sources answer well, suggested to readers


@dataclass(frozen=True)
class LeftOut:
    """A detail the corpus's editors list as deliberately left out of the sources."""

    item: str  # as the README words it: "the signing date of the Military Commissions Act of 2009"
    reason: str  # the section heading's explanation: "could not be confirmed in two independent …"


@dataclass(frozen=True)
class LoadFailure:
    path: str
    reason: str


UNLISTED_AUTHORITY = 0.0


def read_manifest(corpus: Path) -> Manifest:
    """Parse corpus/sources.toml; a missing manifest means defaults for every file."""
    path = corpus / MANIFEST
    if not path.exists():
        return Manifest()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        metas = {
            name: SourceMeta(
                title=str(entry.get("title", "")),
                url=str(entry.get("url", "")),
                date=str(entry.get("date", "")),
                kind="article" if entry.get("kind") == "article" else "background",
                authority=float(entry.get("authority", 0.5)),
            )
            for name, entry in data.get("sources", {}).items()
        }
        patterns = tuple(
            re.compile(p, re.IGNORECASE) for p in data.get("boilerplate", {}).get("patterns", [])
        )
        questions = (str(q).strip() for q in data.get("starters", {}).get("questions", []))
        starters = tuple(q for q in questions if q)
    except (tomllib.TOMLDecodeError, re.error, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(
            f"{path} is not a valid manifest: {exc}", "Fix the file or remove it to use defaults."
        ) from exc
    return Manifest(sources=metas, boilerplate=patterns, starters=starters)


# The README section listing what the sources leave out, and its optional "(reason)".
_LEFT_OUT_HEADING = re.compile(r"^(?:not included|not covered|left out)\b\s*(?:\((.*)\))?", re.I)
_ITEM_SEPARATOR = re.compile(r";\s*|,\s+and\s+|,\s+")
_ASIDE = re.compile(r"\s*\([^)]*\)")
_OPENERS = {"the", "a", "an", "any", "his", "her", "its", "their"}


def read_left_out(corpus: Path) -> tuple[LeftOut, ...]:
    """What the corpus README's "Not included" section (or "Not covered", "Left out") lists.

    Each bullet may open with a lead-in ("Cable details found only in the cable text itself: …")
    and list several details separated by commas or semicolons; each detail is one LeftOut, its
    asides in parentheses dropped. No README or no such section: nothing is listed.
    """
    readme = next((p for p in sorted(corpus.glob("*")) if p.name.lower() == "readme.md"), None)
    try:
        text = readme.read_text(encoding="utf-8", errors="replace") if readme else ""
    except OSError:  # unreadable, or a folder of that name: nothing is listed, nothing breaks
        return ()
    listed: list[LeftOut] = []
    reason: str | None = None  # None outside the section
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            section = _LEFT_OUT_HEADING.match(heading.group(2))
            reason = (section.group(1) or "not included").strip() if section else None
            continue
        marker = _LIST_MARKER.match(line)
        if reason is None or not marker:
            continue
        body = _ASIDE.sub("", line[marker.end() :]).strip().rstrip(".")
        body = body.split(": ", 1)[-1]
        for item in _ITEM_SEPARATOR.split(body):
            words = item.split()
            if len(words) >= 2:
                # "The signing date of …" opens a bullet; in a sentence it reads "the signing date".
                words[0] = words[0].lower() if words[0].lower() in _OPENERS else words[0]
                listed.append(LeftOut(item=" ".join(words), reason=reason))
    return tuple(listed)


def find_source_files(corpus: Path) -> list[Path]:
    """Every supported file under the corpus folder, except its README, manifest and gold sets."""
    if not corpus.is_dir():
        raise ConfigError(f"Corpus folder {corpus} does not exist.", "Set QA_CORPUS to a folder.")
    files = []
    for path in sorted(corpus.rglob("*")):
        rel = path.relative_to(corpus)
        if not path.is_file() or rel.parts[0] == GOLD_FOLDER or path.name.startswith("."):
            continue
        if path.name.lower() in NOT_SOURCES or path.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        files.append(path)
    return files


def load_sources(
    corpus: Path, *, require_manifest: bool = False
) -> tuple[list[Source], list[LoadFailure]]:
    """Load every source in the corpus; a file that cannot be read is reported, not fatal, as is
    one sources.toml does not list when require_manifest is set."""
    manifest = read_manifest(corpus)
    sources, failures = [], []
    for path in find_source_files(corpus):
        rel = path.relative_to(corpus).as_posix()
        if require_manifest and rel not in manifest.sources:
            failures.append(LoadFailure(rel, "not listed in sources.toml (QA_REQUIRE_MANIFEST)"))
            continue
        try:
            sources.append(load_source(path, rel, manifest))
        except SourceError as exc:
            failures.append(LoadFailure(rel, exc.user_message))
    return sources, failures


def load_source(path: Path, source_id: str, manifest: Manifest) -> Source:
    """Read one file into a Source, raising SourceError with the reason when it can't."""
    raw = _read_bytes(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from qa.loaders import pdf_text

        text, heading = pdf_text(raw), ""
    elif suffix in (".html", ".htm"):
        from qa.loaders import html_text

        text, heading = html_text(_decode(raw))
    else:
        text, heading = _decode(raw), ""
    segments = tuple(find_segments(text, manifest.boilerplate))
    if not segments:
        raise SourceError("no readable text (empty, or only page chrome)")
    listed = source_id in manifest.sources
    # A file nobody described is the least trusted source: it counts for no authority.
    meta = manifest.sources.get(source_id, SourceMeta(authority=UNLISTED_AUTHORITY))
    title = meta.title or heading or _first_heading(text) or path.stem.replace("-", " ").title()
    return Source(
        id=source_id,
        title=title,
        text=text,
        segments=segments,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        url=meta.url,
        date=meta.date,
        kind="article" if meta.kind == "article" else "background",
        authority=meta.authority,
        listed=listed,
    )


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise SourceError(f"too large ({size:,} bytes; the limit is {MAX_SOURCE_BYTES:,})")
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot be read ({exc.strerror})") from exc
    if not raw.strip():
        raise SourceError("empty file")
    return raw


def _decode(raw: bytes) -> str:
    if b"\x00" in raw:
        raise SourceError("binary file, not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 text (bad byte at offset {exc.start})") from exc


def _first_heading(text: str) -> str:
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            return match.group(2)
    return ""


def find_segments(
    text: str, boilerplate: tuple[re.Pattern[str], ...] = ()
) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end, section) for each content line: headings, bare links and chrome skipped.

    A line of page chrome is one matching a boilerplate pattern, or a short line (under six words)
    with no closing punctuation that is not a heading: "Skip to main content", "Share". A photo
    caption gets the section "Photo caption".
    """
    section = ""
    offset = 0
    for line in text.splitlines(keepends=True):
        start, stripped = offset, line.strip()
        offset += len(line)
        if not stripped:
            continue
        heading = _HEADING.match(line)
        if heading:
            section = heading.group(2)
            continue
        if _BARE_LINK.match(line) or any(p.search(stripped) for p in boilerplate):
            continue
        if len(stripped.split()) < 6 and not _TERMINAL.search(stripped) and not _is_item(line):
            continue
        lead = len(line) - len(line.lstrip())
        marker = _LIST_MARKER.match(line)
        content_start = start + (marker.end() if marker else lead)
        content_end = start + len(line.rstrip())
        yield (
            content_start,
            content_end,
            PHOTO_CAPTION if _PHOTO_CREDIT.search(stripped) else section,
        )


def _is_item(line: str) -> bool:
    """List items are content even when short: '- El País (Spain)'."""
    return bool(_LIST_MARKER.match(line))
