"""A real text corpus that is always present offline: the first paragraph of each
function's and class's docstring in the Python standard library's own sources, labelled
by the family of modules it comes from (files, network, concurrency, ...).

Read with a regular expression (ast.parse of the same files takes about three times as
long), at most PER_FAMILY sentences per family, in a fixed order, so every machine with
the same Python builds the same corpus. The label is hidden from training: it only judges
whether sentences about the same kind of work end up near each other.
"""

from __future__ import annotations

import re
import sysconfig
from collections.abc import Iterator
from pathlib import Path

PER_FAMILY = 250
MIN_CHARS = 20  # shorter first paragraphs ("Return x.") say too little to judge
FAMILIES: dict[str, tuple[str, ...]] = {  # label -> standard-library modules or packages
    "numbers": ("fractions", "statistics", "random", "numbers", "_pydecimal"),
    "files": ("pathlib", "shutil", "os", "glob", "tempfile", "filecmp", "fnmatch", "zipfile", "tarfile"),
    "network": ("urllib", "http", "smtplib", "ftplib", "imaplib", "socketserver", "ipaddress", "ssl"),
    "concurrency": ("threading", "concurrent", "asyncio", "queue", "sched", "subprocess"),
    "formats": ("json", "csv", "configparser", "plistlib", "tomllib", "xml", "mailbox"),
    "devtools": ("unittest", "doctest", "pdb", "pydoc", "inspect", "trace", "bdb", "dis"),
}
COUNT = PER_FAMILY * len(FAMILIES)
DESCRIPTION = (f"{COUNT:,} sentences: the first paragraph of docstrings in Python's standard library; "
               f"the label is the family of modules ({', '.join(FAMILIES)}).")
_DOCSTRING = re.compile(r'^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+\w+[^"\']*?:[ \t]*\n[ \t]*[rRuU]?"""(.*?)"""',
                        re.S | re.M)


def _sources(root: Path, module: str) -> list[Path]:
    single = root / f"{module}.py"
    if single.is_file():
        return [single]
    return [p for p in sorted((root / module).rglob("*.py")) if "test" not in p.relative_to(root).parts[1:-1]]


def _first_paragraphs(path: Path) -> Iterator[str]:
    for docstring in _DOCSTRING.findall(path.read_text("utf-8", "replace")):
        paragraph = " ".join(docstring.strip().split("\n\n")[0].split())
        if len(paragraph) >= MIN_CHARS:
            yield paragraph


def make() -> Iterator[tuple[str, str, str]]:
    """(name 'module.py:n', sentence, family) for up to PER_FAMILY sentences per family;
    a sentence seen before (an inherited docstring copied) is kept once."""
    root = Path(sysconfig.get_paths()["stdlib"])
    if not (root / "os.py").is_file():
        raise FileNotFoundError(f"the Python standard library's sources are not in {root}")
    seen: set[str] = set()
    for family, modules in FAMILIES.items():
        kept = 0
        paths = (path for module in modules for path in _sources(root, module))
        for path in paths:
            for number, sentence in enumerate(_first_paragraphs(path), start=1):
                if sentence not in seen:
                    seen.add(sentence)
                    kept += 1
                    yield f"{path.relative_to(root)}:{number}", sentence, family
                if kept == PER_FAMILY:
                    break
            if kept == PER_FAMILY:
                break
