"""Precision and recall of the off-platform solicitation detector (R-DSP-8).

Runs the default pattern set (``arbitration.solicitation.DEFAULT_PATTERNS``, the data that
migration 0002 ships) in memory, without a database, over the labelled corpus and the held-out
set in tests/arbitration/data, and prints the figures and every misclassified message.

    .venv/bin/python bench/solicitation_eval.py [--verbose]

``--verbose`` also prints the normalised text and the matched pattern names of the errors.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "arbitration" / "data"
SETS = {"corpus": DATA / "solicitation_corpus.jsonl", "holdout": DATA / "solicitation_holdout.jsonl"}


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    true_negatives: int = 0
    false_negatives: int = 0
    errors: list[tuple[str, dict, list[str]]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        solicitations = self.true_positives + self.false_negatives
        return self.true_positives / solicitations if solicitations else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def score(messages: list[dict], patterns: list[dict]) -> Score:
    from arbitration.solicitation import find_solicitation

    result = Score()
    for message in messages:
        matched = find_solicitation(message["text"], patterns=patterns)
        flagged, solicit = bool(matched), message["solicit"]
        if flagged and solicit:
            result.true_positives += 1
        elif flagged:
            result.false_positives += 1
            result.errors.append(("false positive", message, matched))
        elif solicit:
            result.false_negatives += 1
            result.errors.append(("false negative", message, matched))
        else:
            result.true_negatives += 1
    return result


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from arbitration.solicitation import DEFAULT_PATTERNS, normalize

    verbose = "--verbose" in argv
    for name, path in SETS.items():
        messages = load(path)
        s = score(messages, DEFAULT_PATTERNS)
        languages = sorted({m["lang"] for m in messages})
        per_language = ", ".join(f"{lang}: {sum(m['lang'] == lang for m in messages)}" for lang in languages)
        print(
            f"== {name}: {len(messages)} messages ({per_language}), "
            f"{sum(m['solicit'] for m in messages)} solicitations"
        )
        print(f"   precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}")
        print(
            f"   TP {s.true_positives}  FP {s.false_positives}  TN {s.true_negatives}  FN {s.false_negatives}"
        )
        for kind, message, matched in s.errors:
            print(f"   {kind} [{message['lang']}]: {message['text']}")
            if verbose:
                print(f"      normalised: {normalize(message['text'])}")
                print(f"      matched: {matched}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
