"""Run the app: `python app.py` serves the reader's chat at http://127.0.0.1:7860
(GRADIO_SERVER_NAME/PORT), with the API and widget of `qa serve`, and the editors' pages at
/editors/ when QA_EDITOR_PASSWORD is set."""

import os
import sys

from qa.environment import apply_offline_defaults

apply_offline_defaults()  # before gradio and the hub client read their settings at import

from qa.api import create_app, run_server  # noqa: E402
from qa.chain import build_pipeline  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.errors import QAError  # noqa: E402

settings = Settings()
try:  # first run builds the index; an empty or broken corpus says what to fix, not a traceback
    app = create_app(
        settings, build_pipeline(settings, sync_corpus=True, in_background=True), with_ui=True
    )
except QAError as exc:
    sys.exit(f"Error: {exc.user_message} {exc.hint}".strip())

if __name__ == "__main__":
    host = os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")
    run_server(app, host, int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
