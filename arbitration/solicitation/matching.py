"""Matching patterns by intent, and the explanation staff read beside a flag (R-DSP-8).

A flag is stored on the message as ``{"pattern": name, "intent": intent, "matched": words}``
(``"transliterated": true`` when the words matched the Russian reading of Latin letters).
Messages flagged before intents existed hold a plain list of pattern names; both read back.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from arbitration.solicitation.intents import FLAGGING_INTENTS, Intent
from arbitration.solicitation.normalize import text_variants
from arbitration.solicitation.regex import CompiledPattern, PatternProblem, PatternSet, compile_pattern

log = logging.getLogger("arbitration.solicitation")

_MATCHED_MAX = 120  # characters of matched text kept for staff


@functools.lru_cache(maxsize=256)
def _report_unusable(name: str, pattern: str, problem: str) -> None:
    # Once per process and pattern, not once per message: the error log is read by people.
    log.error("Solicitation pattern %r is skipped: %s", name, problem)


Rows = tuple[tuple[str, str, CompiledPattern], ...]


@functools.lru_cache(maxsize=64)
def _compiled(key: tuple[tuple[str, str, str], ...]) -> tuple[Rows, PatternSet]:
    """The usable patterns of a set and its prefilter; cached, so a message costs no compiling."""
    usable = []
    for name, pattern, intent in key:
        compiled = compile_pattern(pattern)
        if isinstance(compiled, PatternProblem):
            _report_unusable(name, pattern, str(compiled))
            continue
        usable.append((name, intent, compiled))
    atoms = frozenset(atom for *_, compiled in usable for atom in compiled.atoms)
    return tuple(usable), PatternSet(atoms)


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
    key = tuple((row["name"], row["pattern"], row.get("intent") or Intent.OFF_PLATFORM) for row in patterns)
    rows, prefilter = _compiled(key)
    variants = text_variants(text or "")
    present = [prefilter.words_in(variant) for variant in variants]
    exempt_words: list[tuple[int, int]] | None = None  # computed only once something matched
    flags: dict[str, dict[str, Any]] = {}
    for name, intent, compiled in rows:
        if intent not in FLAGGING_INTENTS or name in flags:
            continue
        for index, variant in enumerate(variants):
            for part in compiled.parts:
                if not part.may_match(present[index]):
                    continue
                for match in part.regex.finditer(variant):
                    if match.start() == match.end():
                        continue
                    if exempt_words is None:
                        exempt_words = _exempt_words(variants, present, rows)
                    first, last = _words(variant, match.start(), match.end())
                    if not any(first <= e_last and e_first <= last for e_first, e_last in exempt_words):
                        flags[name] = _flag(name, intent, match.group(), transliterated=index > 0)
                        break
                if name in flags:
                    break
            if name in flags:
                break
    return [flags[name] for name in sorted(flags)]


def _exempt_words(variants: tuple[str, ...], present: list[set[str]], rows: Rows) -> list[tuple[int, int]]:
    spans = []
    for _name, intent, compiled in rows:
        if intent != Intent.EXEMPT:
            continue
        for variant, words in zip(variants, present, strict=True):
            for part in compiled.parts:
                if part.may_match(words):
                    spans.extend(
                        _words(variant, *m.span()) for m in part.regex.finditer(variant) if m.group()
                    )
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
    Flags stored before intents existed (pattern names only) show the name alone."""
    lines = []
    for flag in getattr(message, "solicitation_patterns", None) or []:
        if not isinstance(flag, Mapping):
            lines.append(str(flag))
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
