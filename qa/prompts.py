"""Prompt files: text with declared variables, checked when loaded so a typo fails early."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

from qa.errors import ConfigError

_DECLARATION = re.compile(r"^#\s*variables:\s*(.*)$")


@dataclass(frozen=True)
class Prompt:
    name: str
    template: str
    variables: frozenset[str]

    def render(self, **values: str) -> str:
        missing = self.variables - values.keys()
        if missing:
            raise ConfigError(f"Prompt {self.name!r} needs {sorted(missing)}.")
        return self.template.format(**{k: values[k] for k in self.variables})


def load_prompt(folder: Path, name: str) -> Prompt:
    """Read prompts/NAME.txt: '# variables: a, b' first, '#' comment lines, then the template."""
    path = folder / f"{name}.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(
            f"Cannot read prompt {path}.", "Set QA_PROMPTS to the prompts folder."
        ) from exc
    declared = _DECLARATION.match(lines[0]) if lines else None
    if not declared:
        raise ConfigError(f"{path} must start with a '# variables: ...' line.")
    variables = frozenset(v.strip() for v in declared.group(1).split(",") if v.strip())
    template = "\n".join(line for line in lines[1:] if not line.startswith("#")).strip()
    used = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    if used != variables:
        raise ConfigError(
            f"{path} declares {sorted(variables)} but uses {sorted(used)}.",
            "Make the '# variables:' line match the placeholders.",
        )
    return Prompt(name=name, template=template, variables=variables)
