"""Format readers for HTML and PDF: turn bytes or markup into plain text for corpus.py."""

from __future__ import annotations

import io
import re

from qa.errors import SourceError

# Elements that hold navigation or page chrome rather than the story.
_CHROME_TAGS = [
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "button",
    "template",
]
_CHROME_ROLES = re.compile(r"navigation|banner|contentinfo|complementary|search", re.I)
_BLOCK_TAGS = [
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "figcaption",
    "pre",
    "td",
    "th",
    "dt",
    "dd",
]


def html_text(markup: str) -> tuple[str, str]:
    """Main text of an HTML page, one block per paragraph, and its title.

    Keeps the <article> (or <main>) when the page has one, and drops navigation, headers,
    footers, scripts and forms. Headings become Markdown headings so sections survive.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(_CHROME_TAGS):
        tag.decompose()
    for tag in soup.find_all(None, attrs={"role": _CHROME_ROLES}):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    blocks = []
    for block in root.find_all(_BLOCK_TAGS):
        if block.find(_BLOCK_TAGS):  # a container of blocks: its children speak for it
            continue
        words = block.get_text(" ", strip=True)
        words = re.sub(r"\s+", " ", words)
        if not words:
            continue
        if block.name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            blocks.append("#" * int(block.name[1]) + " " + words)
            title = title or words
        else:
            blocks.append(("- " if block.name == "li" else "") + words)
    if not blocks:  # markup without block elements: fall back to its plain text
        blocks = [re.sub(r"[ \t]+", " ", root.get_text("\n", strip=True))]
    return "\n\n".join(blocks) + "\n", title


def pdf_text(raw: bytes) -> str:
    """The text of every page, pages separated by blank lines."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SourceError(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise SourceError("PDF has no extractable text (scanned images need OCR first)")
    return text + "\n"
