"""Matching patterns by intent, and the explanation staff read beside a flag (R-DSP-8).

A flag is stored on the message as ``{"pattern": name, "intent": intent, "matched": words}``
(``"transliterated": true`` when the words matched the Russian reading of Latin letters).
Messages flagged before intents existed hold a plain list of pattern names; both read back.
``detect`` adds the trained classifier (``classifier.py``) for messages no pattern flags; its
flag is ``{"pattern": "classifier", "intent": "classifier", "score": s, "matched": words}``.
It also lets the classifier overrule the shipped patterns' flags on a message it scores below
its veto threshold; a pattern staff wrote or edited always keeps its flag.
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
from arbitration.solicitation.patterns import DEFAULT_PATTERNS, NAMED_CHANNELS, NEVER_OVERRULED
from arbitration.solicitation.regex import Part, PatternProblem, PatternSet, compile_pattern

log = logging.getLogger("arbitration.solicitation")

_MATCHED_MAX = 120  # characters of matched text kept for staff
_MIN_WORDS_LEFT = 3  # words an exempt match must leave for the classifier to judge the rest
VETO_WINDOW = 5  # words each side of a shipped pattern's match (in its sentence) the veto reads


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
    # names of the patterns exactly as shipped (``DEFAULT_PATTERNS``) the classifier may overrule
    shipped: frozenset[str]


_SHIPPED = frozenset((row["name"], row["pattern"]) for row in DEFAULT_PATTERNS)


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
    shipped = frozenset(
        name for name, pattern, _intent in key if (name, pattern) in _SHIPPED and name not in NEVER_OVERRULED
    )
    return _Set(parts=tuple(parts), prefilter=PatternSet([part for *_, part in parts]), shipped=shipped)


def _words(text: str, start: int, end: int) -> tuple[int, int]:
    r"""The first and last word index of ``text[start:end]``: the variants share word positions
    (transliteration rewrites words one for one), character positions they don't. A match that
    begins with the end of the sentence before it ("(?:^|\. )close …") starts at its first word."""
    while start < end and text[start] in ". ":
        start += 1
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
    veto: float | None = None,
    name_veto: float | None = None,
) -> list[dict[str, Any]]:
    """The flags of ``text``: the patterns' (``match_patterns``), then the classifier's word.

    - A shipped pattern's flag is dropped when the classifier scores every one of its matches,
      read with its sentence (at most ``VETO_WINDOW`` words each side), below
      the veto threshold (``veto``, else the classifier's own; 0 never overrules): the
      classifier, trained on thousands of innocent messages naming messengers, payments and
      disputes, judges the words around it one of them — and the whole message scores below
      it too. The match's sentence, so an ask can't be diluted with a paragraph of small talk;
      the whole message, so an ask's context in another sentence counts ("Why bother the
      admins? You and me can agree directly."). A pattern staff wrote or edited keeps its flag,
      and so does one the classifier never overrules (``NEVER_OVERRULED``, round 26).
    - A shipped pattern that flags a channel merely named (``NAMED_CHANNELS``: a messenger, an
      e-wallet) has its flag dropped when the whole message scores below the name veto
      (``name_veto``, else the classifier's own; 0 never overrules) — a few words around a bare
      name are too few to tell "My Telegram? No, I only answer here" from an ask — unless one of
      its matches' windows scores at the flagging threshold: an ask padded with small talk
      ("… Write to me on Telegram @shop. …") keeps its flag.
    - When no pattern flags it, the classifier's one flag if its score reaches the threshold
      (``threshold``, else the classifier's own).

    ``classifier``: True for the committed one, False for the patterns alone, or a
    ``Classifier``."""
    variants = text_variants(text or "")
    if isinstance(classifier, Classifier):
        model: Classifier | None = classifier
    else:
        model = default_classifier() if classifier is True else None
    compiled = _compiled(_key(patterns))
    if model is not None:
        veto = model.veto if veto is None else veto
        name_veto = model.name_veto if name_veto is None else name_veto
    vetoes = (veto or 0.0, name_veto or 0.0) if model is not None else (0.0, 0.0)
    spans: dict[str, list[tuple[int, int]]] | None = {} if any(vetoes) else None
    flags = _match_variants(variants, compiled, spans)
    if model is None:
        return flags
    if flags:
        if spans is None:
            return flags
        flag_at = model.threshold if threshold is None else threshold
        return _overruled(flags, spans, compiled, model, variants, *vetoes, flag_at)
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


def _overruled(
    flags: list[dict[str, Any]],
    spans: dict[str, list[tuple[int, int]]],
    compiled: _Set,
    model: Classifier,
    variants: tuple[str, ...],
    veto: float,
    name_veto: float,
    flag_at: float,
) -> list[dict[str, Any]]:
    """``flags`` without the shipped patterns' the classifier overrules: a channel merely named
    when the whole message scores below ``name_veto`` and none of its matches' windows reaches
    ``flag_at`` (the flagging threshold); any other when the whole message and each of its
    matches' windows score below ``veto``."""
    if not any(flag["pattern"] in compiled.shipped for flag in flags):
        return flags
    whole = model.score_variants(variants)
    if whole >= max(veto, name_veto):  # the whole message keeps every flag; no window to score
        return flags
    kept = []
    for flag in flags:
        name = flag["pattern"]
        if name not in compiled.shipped:
            kept.append(flag)
            continue
        windows = (model.score_variants(_window(variants, span)) for span in spans[name])
        if name in NAMED_CHANNELS:
            score, below = whole, name_veto
            keep = whole >= name_veto or any(windowed >= flag_at for windowed in windows)
        else:
            score, below = (whole if whole >= veto else max(whole, *windows)), veto
            keep = score >= veto
        if keep:
            kept.append(flag)
        else:
            log.info(
                "Solicitation flag %s overruled by the classifier (score %.3f < %.2f)", name, score, below
            )
    return kept


def _window(variants: tuple[str, ...], span: tuple[int, int]) -> tuple[str, ...]:
    """The words of each variant around ``span``: its sentence (normalisation ends every
    sentence with a word ending in "."), at most ``VETO_WINDOW`` words each side. Words of
    other sentences never dilute the match's score."""
    words = variants[0].split(" ")
    first = span[0]
    while first > 0 and span[0] - first < VETO_WINDOW and not words[first - 1].endswith("."):
        first -= 1
    last = span[1]
    while last < len(words) - 1 and last - span[1] < VETO_WINDOW and not words[last].endswith("."):
        last += 1
    return tuple(" ".join(variant.split(" ")[first : last + 1]) for variant in variants)


def veto_windows(text: str, patterns: Iterable[Mapping[str, Any]]) -> tuple[list[tuple[str, ...]], bool]:
    """What the vetoes score for ``text``, as ``detect`` scores it: the whole message and one
    window per match of each shipped pattern that flags it, except a channel merely named (none
    when no such pattern flags it); and whether a shipped pattern of a channel merely named flags
    it, whose name veto reads the whole message (``training.veto_scores``)."""
    variants = text_variants(text or "")
    compiled = _compiled(_key(patterns))
    spans: dict[str, list[tuple[int, int]]] = {}
    flags = _match_variants(variants, compiled, spans)
    shipped = [flag["pattern"] for flag in flags if flag["pattern"] in compiled.shipped]
    windows = [
        _window(variants, span) for name in shipped if name not in NAMED_CHANNELS for span in spans[name]
    ]
    return ([variants, *windows] if windows else []), any(name in NAMED_CHANNELS for name in shipped)


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


def _match_variants(
    variants: tuple[str, ...], compiled: _Set, spans: dict[str, list[tuple[int, int]]] | None = None
) -> list[dict[str, Any]]:
    """The flags of the variants; with ``spans``, also every flagging match's word span, by
    pattern name (otherwise a pattern stops at its first match)."""
    exempt: list[tuple[int, int]] | None = None  # word spans, computed once something matched
    flags: dict[str, dict[str, Any]] = {}
    candidates = [compiled.prefilter.candidates(variant) for variant in variants]
    for index, variant in enumerate(variants):
        for number in candidates[index]:
            name, intent, part = compiled.parts[number]
            if intent not in FLAGGING_INTENTS or (spans is None and name in flags):
                continue
            for match in part.regex.finditer(variant):
                if match.start() == match.end():
                    continue
                if exempt is None:
                    exempt = _exempt_words(compiled, variants, candidates)
                first, last = _words(variant, match.start(), match.end())
                if any(first <= e_last and e_first <= last for e_first, e_last in exempt):
                    continue
                if name not in flags:
                    flags[name] = _flag(name, intent, match.group(), transliterated=index > 0)
                if spans is None:
                    break
                spans.setdefault(name, []).append((first, last))
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
