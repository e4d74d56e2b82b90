"""Run the reader app: `python app.py` serves http://127.0.0.1:7860 (GRADIO_SERVER_NAME/PORT)."""

import sys

from qa.chain import build_pipeline
from qa.config import Settings
from qa.environment import apply_offline_defaults
from qa.errors import QAError
from qa.ui import build_ui

apply_offline_defaults()
settings = Settings()
try:  # first run builds the index; an empty or broken corpus says what to fix, not a traceback
    demo = build_ui(build_pipeline(settings, sync_corpus=True), settings)
except QAError as exc:
    sys.exit(f"Error: {exc.user_message} {exc.hint}".strip())

if __name__ == "__main__":
    demo.launch()
