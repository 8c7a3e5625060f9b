"""Matching patterns by intent, and the explanation staff read beside a flag (R-DSP-8).

A flag is stored on the message as ``{"pattern": name, "intent": intent, "matched": words}``
(``"transliterated": true`` when the words matched the Russian reading of Latin letters).
Messages flagged before intents existed hold a plain list of pattern names; both read back.
``detect`` adds the trained classifier (``classifier.py``) for messages no pattern flags; its
flag is ``{"pattern": "classifier", "intent": "classifier", "score": s, "matched": words}``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from arbitration.solicitation.classifier import CLASSIFIER, Classifier, default_classifier
from arbitration.solicitation.intents import FLAGGING_INTENTS, Intent
from arbitration.solicitation.normalize import text_variants
from arbitration.solicitation.regex import Part, PatternProblem, PatternSet, compile_pattern

log = logging.getLogger("arbitration.solicitation")

_MATCHED_MAX = 120  # characters of matched text kept for staff
_MIN_WORDS_LEFT = 3  # words an exempt match must leave for the classifier to judge the rest


@functools.lru_cache(maxsize=256)
def _report_unusable(name: str, pattern: str, problem: str) -> None:
    # Once per process and pattern, not once per message: the error log is read by people.
    log.error("Solicitation pattern %r is skipped: %s", name, problem)


@dataclass(frozen=True)
class _Set:
    """A pattern set ready to match: every part of every usable pattern, in order, with the
    pattern it belongs to, and the prefilter of them all."""

    parts: tuple[tuple[str, str, Part], ...]  # (pattern name, intent, part)
    prefilter: PatternSet


@functools.lru_cache(maxsize=64)
def _compiled(key: tuple[tuple[str, str, str], ...]) -> _Set:
    """The usable patterns of a set and its prefilter; cached, so a message costs no compiling."""
    parts: list[tuple[str, str, Part]] = []
    for name, pattern, intent in key:
        compiled = compile_pattern(pattern)
        if isinstance(compiled, PatternProblem):
            _report_unusable(name, pattern, str(compiled))
            continue
        parts.extend((name, intent, part) for part in compiled.parts)
    return _Set(parts=tuple(parts), prefilter=PatternSet([part for *_, part in parts]))


def _words(text: str, start: int, end: int) -> tuple[int, int]:
    """The first and last word index of ``text[start:end]``: the variants share word positions
    (transliteration rewrites words one for one), character positions they don't."""
    first = text.count(" ", 0, start)
    return first, first + text.count(" ", start, max(start, end - 1))


def match_patterns(text: str, patterns: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The flags ``text`` raises with ``patterns`` (mappings with ``name``, ``pattern`` and
    ``intent``; a missing intent counts as off-platform), one per pattern, sorted by name.

    A flagging match is dropped when an exempt match overlaps its words in any variant (a
    refusal in English also covers the transliterated reading of the same words).
    """
    return _match_variants(text_variants(text or ""), _compiled(_key(patterns)))


def detect(
    text: str,
    patterns: Iterable[Mapping[str, Any]],
    *,
    classifier: Classifier | None | bool = True,
    threshold: float | None = None,
) -> list[dict[str, Any]]:
    """The flags of ``text``: the patterns' (``match_patterns``) and, when no pattern flags it,
    the classifier's one flag if its score reaches the threshold (``threshold``, else the
    classifier's own). ``classifier``: True for the committed one, False for the patterns alone,
    or a ``Classifier``."""
    variants = text_variants(text or "")
    if isinstance(classifier, Classifier):
        model: Classifier | None = classifier
    else:
        model = default_classifier() if classifier is True else None
    compiled = _compiled(_key(patterns))
    flags = _match_variants(variants, compiled)
    if flags or model is None:
        return flags
    flag = model.flag(variants, threshold)
    if flag is None:
        return []
    # The classifier does not judge words an exempt pattern covers: it reads what is left of
    # "please don't send me your phone number" ("please"), and too little left is no ask at all.
    exempt = _exempt_words(compiled, variants, [compiled.prefilter.candidates(v) for v in variants])
    if not exempt:
        return [flag]
    rest = _without_words(variants, exempt)
    if len(rest[0].split()) < _MIN_WORDS_LEFT:
        return []
    flag = model.flag(rest, threshold)
    return [flag] if flag is not None else []


def _key(patterns: Iterable[Mapping[str, Any]]) -> tuple[tuple[str, str, str], ...]:
    return tuple((row["name"], row["pattern"], row.get("intent") or Intent.OFF_PLATFORM) for row in patterns)


def _without_words(variants: tuple[str, ...], spans: list[tuple[int, int]]) -> tuple[str, ...]:
    """The variants without the words an exempt match covers: the classifier judges what is left
    of "please don't send me your phone number" ("please"), not the refused words."""
    covered = {index for first, last in spans for index in range(first, last + 1)}
    return tuple(
        " ".join(word for index, word in enumerate(variant.split(" ")) if index not in covered)
        for variant in variants
    )


def _match_variants(variants: tuple[str, ...], compiled: _Set) -> list[dict[str, Any]]:
    exempt: list[tuple[int, int]] | None = None  # word spans, computed once something matched
    flags: dict[str, dict[str, Any]] = {}
    candidates = [compiled.prefilter.candidates(variant) for variant in variants]
    for index, variant in enumerate(variants):
        for number in candidates[index]:
            name, intent, part = compiled.parts[number]
            if name in flags or intent not in FLAGGING_INTENTS:
                continue
            for match in part.regex.finditer(variant):
                if match.start() == match.end():
                    continue
                if exempt is None:
                    exempt = _exempt_words(compiled, variants, candidates)
                first, last = _words(variant, match.start(), match.end())
                if not any(first <= e_last and e_first <= last for e_first, e_last in exempt):
                    flags[name] = _flag(name, intent, match.group(), transliterated=index > 0)
                    break
    return [flags[name] for name in sorted(flags)]


def _exempt_words(
    compiled: _Set, variants: tuple[str, ...], candidates: list[list[int]]
) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for variant, numbers in zip(variants, candidates, strict=True):
        for number in numbers:
            _name, intent, part = compiled.parts[number]
            if intent == Intent.EXEMPT:
                spans.extend(_words(variant, *m.span()) for m in part.regex.finditer(variant) if m.group())
    return spans


def _flag(name: str, intent: str, matched: str, *, transliterated: bool) -> dict[str, Any]:
    matched = matched.strip(" .")
    if len(matched) > _MATCHED_MAX:
        matched = matched[: _MATCHED_MAX - 1].rstrip() + "…"
    flag: dict[str, Any] = {"pattern": name, "intent": str(intent), "matched": matched}
    if transliterated:
        flag["transliterated"] = True
    return flag


def flag_explanations(message: Any) -> list[str]:
    """One line per flag of ``message`` for staff: the intent, the words that matched after
    normalisation, and the pattern ("Asks to close …: “pls close” (close-dispute-request-en)").
    Flags stored before intents existed (pattern names only) show the name alone; the
    classifier's flag shows its score and most weighted words (``classifier_explanation``)."""
    lines = []
    for flag in getattr(message, "solicitation_patterns", None) or []:
        if not isinstance(flag, Mapping):
            lines.append(str(flag))
            continue
        if flag.get("intent") == CLASSIFIER:
            lines.append(classifier_explanation(flag))
            continue
        intent = flag.get("intent")
        label = Intent(intent).label if intent in Intent.values else _("Matched")
        line = _("%(intent)s: “%(matched)s” (%(pattern)s)") % {
            "intent": label,
            "matched": flag.get("matched", ""),
            "pattern": flag.get("pattern", "?"),
        }
        if flag.get("transliterated"):
            line += " " + _("[read as transliterated Russian]")
        lines.append(line)
    return lines


def classifier_explanation(flag: Mapping[str, Any]) -> str:
    """A classifier's flag for staff: its score, that no pattern matched, and the words that
    weighed most ("Classifier score 0.93, no pattern matched; most weighted words: “close, gift”")."""
    return _("Classifier score %(score)s, no pattern matched; most weighted words: “%(words)s”") % {
        "score": f"{float(flag.get('score', 0)):.2f}",
        "words": flag.get("matched", ""),
    }
