"""The README opens with the two commands, and CI runs the second one verbatim."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    blocks = ROOT.joinpath("README.md").read_text().split("```bash\n")[1:3]
    return [block.split("\n```")[0].strip() for block in blocks]


def test_readme_starts_with_the_app_and_test_commands():
    start, test = readme_commands()
    assert start.endswith("streamlit run app/main.py")
    assert "pip install -r requirements.txt" in start
    assert "apt-get install -y chromium" in test and test.endswith("python -m pytest")


def test_ci_runs_the_readme_test_command():
    ci_lines = ROOT.joinpath(".ci", "run").read_text().splitlines()
    assert readme_commands()[1] in ci_lines
