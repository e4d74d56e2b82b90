"""Process-wide settings the entry points apply before loading anything: offline, no telemetry."""

from __future__ import annotations

import os

OFFLINE_DEFAULTS = {
    "HF_HUB_OFFLINE": "1",  # models come from packages; never reach for a hub
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",  # Chroma
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def apply_offline_defaults() -> None:
    """Called by each entry point (CLI, app.py) before any model or store is loaded."""
    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)
