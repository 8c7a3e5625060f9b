"""The trained classifier beside the patterns (R-DSP-8): a score for what no pattern matched.

Three rounds of pattern tuning showed that patterns tuned on one labelled set miss about one
message in ten of the next set. This is a logistic regression over the *normalised* text
(``normalize.text_variants``: the normalised message and its Russian transliteration), trained
on every labelled set in ``tests/arbitration/data`` except the newest held-out set
(``training.py``). Its weights are a plain JSON file committed beside this module
(``classifier_weights.json``), written by ``manage.py train_solicitation_classifier`` from the
committed data; the same command with ``--check`` says whether the file is what the data gives.

Features, counted: the character 3- to 5-grams of each word padded with spaces, and the word
itself (digits read as "0", so one phone number or amount looks like another), for the words
of the normalised text and those the transliteration reads differently; and the pairs of
neighbouring words of the normalised text. The sum of a message's weights is divided by the
square root of its number of features, so a long message does not score high merely for being
long.

A message no pattern flags is flagged when the classifier's score reaches the threshold stored
with the weights (chosen by cross-validation on the training sets), or the one supervisors set
in ``SolicitationClassifierSetting``, where they can also switch it off. Its flag explains
itself as ``{"pattern": "classifier", "intent": "classifier", "score": 0.93, "matched": "the
most weighted words"}``. From round 10 it may also *overrule* a shipped pattern: a message a
shipped pattern flags but the classifier scores below the veto threshold (also stored with the
weights, also chosen by cross-validation, also the supervisors' to change) is judged innocent —
a messenger's logo on a phone case, a warning about others' asks. From round 22 a flag of a
channel merely named (``patterns.NAMED_CHANNELS``) has its own, the name veto, read on the whole
message (unless the words around the name alone reach the flagging threshold). A pattern staff
wrote or edited is never overruled (``matching.detect``). It imports no models.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from arbitration.solicitation.normalize import text_variants

CLASSIFIER = "classifier"  # the "pattern" and "intent" of a classifier's flag
WEIGHTS_PATH = Path(__file__).with_name("classifier_weights.json")
_EXPLAINED_WORDS = 3
_DIGITS = str.maketrans("0123456789", "0000000000")
_GRAM_SIZES = (3, 4, 5)
_WORD_CACHE = 50_000


def _read(variants: Sequence[str]) -> tuple[list[str], list[str]]:
    """The words the classifier reads — every word of the normalised text (digits as "0"), then
    each word of the transliteration that differs from the normalised word at its place — and
    the plain words of the normalised text, which the pairs are made of."""
    if not variants:
        return [], []
    plain = variants[0].translate(_DIGITS).replace(". ", " ").split()
    words = list(plain)
    for variant in variants[1:]:
        other = variant.translate(_DIGITS).replace(". ", " ").split()
        words += [word for word, same in zip(other, plain, strict=False) if word != same]
    return words, plain


def word_features(word: str) -> list[str]:
    """A word's own features: its character 3- to 5-grams, padded with spaces, and the word."""
    padded = " " + word + " "
    length = len(padded)
    found = [padded[i : i + size] for size in _GRAM_SIZES for i in range(length - size + 1)]
    found.append("w:" + word)
    return found


def features(variants: Sequence[str]) -> list[str]:
    """The features of a message's normalised variants, repeated as often as they occur (see
    the module docstring): each word's ``word_features`` and the pairs of neighbouring words of
    the normalised text."""
    words, plain = _read(variants)
    found = [feature for word in words for feature in word_features(word)]
    found += [f"b:{a} {b}" for a, b in zip(plain, plain[1:], strict=False)]
    return found


class Classifier:
    """Weights and a bias over ``features``; ``score`` is a probability-like number in 0..1.

    A word's share of the sum is kept in a bounded table (``_WORD_CACHE`` words), so a message
    costs a look-up per word it shares with earlier messages: about as fast as the patterns."""

    def __init__(
        self,
        weights: Mapping[str, float],
        bias: float,
        threshold: float,
        veto: float = 0.0,
        name_veto: float = 0.0,
    ) -> None:
        self.weights = dict(weights)
        self.bias = bias
        self.threshold = threshold
        self.veto = veto  # below this score a shipped pattern's flag is overruled; 0: never
        self.name_veto = name_veto  # the same for a channel merely named (round 22); 0: never
        self._word_sums: dict[str, tuple[float, int]] = {}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Classifier:
        veto = float(data.get("veto_threshold", 0.0))
        name_veto = float(data.get("name_veto_threshold", 0.0))
        return cls(data["weights"], float(data["bias"]), float(data["threshold"]), veto, name_veto)

    def forget_words(self) -> None:
        self._word_sums.clear()

    def margin_of(self, found: Sequence[str]) -> float:
        """The margin of a list of features (as ``features`` gives)."""
        if not found:
            return self.bias
        return self.bias + sum(filter(None, map(self.weights.get, found))) / math.sqrt(len(found))

    def margin(self, variants: Sequence[str]) -> float:
        """``margin_of(features(variants))``, computed word by word with the table."""
        words, plain = _read(variants)
        if not words:
            return self.bias
        sums, get = self._word_sums, self.weights.get
        total, count = 0.0, 0
        for word in words:
            known = sums.get(word)
            if known is None:
                found = word_features(word)
                known = (sum(filter(None, map(get, found))), len(found))
                if len(sums) >= _WORD_CACHE:
                    sums.clear()
                sums[word] = known
            total += known[0]
            count += known[1]
        pairs = [f"b:{a} {b}" for a, b in zip(plain, plain[1:], strict=False)]
        total += sum(filter(None, map(get, pairs)))
        count += len(pairs)
        return self.bias + total / math.sqrt(count)

    def score_variants(self, variants: Sequence[str]) -> float:
        return _sigmoid(self.margin(variants))

    def score(self, text: str) -> float:
        return self.score_variants(text_variants(text or ""))

    def flag(self, variants: Sequence[str], threshold: float | None = None) -> dict[str, Any] | None:
        """The classifier's flag for a message's variants, or None under the threshold (its own,
        unless the supervisors' setting asks for another)."""
        score = self.score_variants(variants)
        if score < (self.threshold if threshold is None else threshold):
            return None
        return {
            "pattern": CLASSIFIER,
            "intent": CLASSIFIER,
            "score": round(score, 2),
            "matched": ", ".join(self.weighted_words(variants)),
        }

    def weighted_words(self, variants: Sequence[str]) -> list[str]:
        """The words of the normalised text that raise the score most: each word's share is
        how much the margin falls when the word is left out (only asked for a flag, so its cost
        does not count)."""
        words = variants[0].replace(". ", " ").split() if variants else []
        full = self.margin(variants)
        shares: dict[str, float] = {}
        for index, word in enumerate(words):
            if word in shares:
                continue
            shares[word] = full - self.margin(tuple(_same_words_removed(v, index) for v in variants))
        ranked = sorted((share, word) for word, share in shares.items() if share > 0)
        return [word for _share, word in reversed(ranked[-_EXPLAINED_WORDS:])]


def _same_words_removed(variant: str, index: int) -> str:
    words = variant.replace(". ", " ").split()
    return " ".join(words[:index] + words[index + 1 :])


def _sigmoid(margin: float) -> float:
    if margin >= 0:
        return 1.0 / (1.0 + math.exp(-margin))
    exp = math.exp(margin)
    return exp / (1.0 + exp)


@functools.cache
def default_classifier() -> Classifier | None:
    """The committed classifier, read once per process; None when the weights file is absent
    (then only the patterns flag)."""
    try:
        data = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return Classifier.from_json(data)
