"""The app's settings as `streamlit run app/main.py` reads them, for AppTest."""

from __future__ import annotations

from pathlib import Path

MAIN = Path(__file__).resolve().parents[1] / "app" / "main.py"


def read_app_settings() -> None:
    """`streamlit run` adds the .streamlit/config.toml beside the script (app/.streamlit/,
    where the app keeps its settings, read whatever the current folder) to the current
    folder's; AppTest reads only the latter. Read them both, as `streamlit run` does."""
    from streamlit import config

    config._main_script_path = str(MAIN)
    config.get_config_options(force_reparse=True)
