"""Run the reader app: `python app.py` serves http://127.0.0.1:7860 (GRADIO_SERVER_NAME/PORT)."""

import sys

from qa.environment import apply_offline_defaults

apply_offline_defaults()  # before gradio and the hub client read their settings at import

from qa.chain import build_pipeline  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.errors import QAError  # noqa: E402
from qa.ui import build_ui  # noqa: E402

settings = Settings()
try:  # first run builds the index; an empty or broken corpus says what to fix, not a traceback
    demo = build_ui(build_pipeline(settings, sync_corpus=True), settings)
except QAError as exc:
    sys.exit(f"Error: {exc.user_message} {exc.hint}".strip())

if __name__ == "__main__":
    demo.launch()
