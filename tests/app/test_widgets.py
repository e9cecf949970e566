"""Names a user supplies are shown literally and kept short."""

from app.widgets import escape_markdown, human_bytes, short_name


def test_escape_markdown_neutralises_markup():
    assert escape_markdown("**b** [x](y) <i> :red[r] $x$") == (
        r"\*\*b\*\* \[x\]\(y\) \<i\> \:red\[r\] \$x\$"
    )


def test_short_name_drops_folders_and_cuts_the_middle():
    assert short_name("archive.zip/cats/tabby.png") == "tabby.png"
    shortened = short_name("a" * 200 + ".png", limit=24)
    assert len(shortened) == 24 and shortened.startswith("aaaa") and shortened.endswith("a.png")
    assert "\u2026" in shortened


def test_human_bytes():
    assert [human_bytes(n) for n in (5, 1536, 5 * 1024**3)] == ["5 B", "1.5 KB", "5.0 GB"]
