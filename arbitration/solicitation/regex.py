"""Compiling solicitation patterns, and the check staff patterns pass before they are saved (R-DSP-8).

This module imports no models: ``SolicitationPattern`` validates itself with ``validate_pattern``.

Matching stays fast however many patterns staff add, because a regex only runs where it can
match. A pattern is split into its top-level alternatives ("a|b|c"), and each alternative
carries a *prefilter* derived from the regex itself (like RE2's): groups of literal words of
which a match must contain one word from every group ("close|cancel" and "dispute|claim"). One
Aho-Corasick pass over a message finds which words it contains; an alternative whose groups are
not all present is skipped. An alternative whose words can't be worked out always runs.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import ahocorasick
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from arbitration.solicitation.normalize import normalize_pattern

try:  # the regex parser of the standard library; only used to derive prefilters
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_MIN_ATOM = 2  # a single letter ("в", "a") is in almost every message: no use as a filter
_SIGNS = frozenset("@$%+€£₽¥")  # but a single sign is rare enough ("@" of an e-mail address)
_DIGITS = frozenset("0123456789")
_MAX_GROUPS = 3  # the most selective groups of words kept per alternative
_ESCAPE = re.compile(r"\\.")  # "\W", "\S", "\D" are not upper-case letters to match
_GLOBAL_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")

Prefilter = tuple[frozenset[str], ...]  # a word of every group must be present; () = always run


@dataclass(frozen=True)
class Part:
    """One top-level alternative of a pattern and its prefilter."""

    regex: re.Pattern[str]
    prefilter: Prefilter

    def may_match(self, text: str) -> bool:
        """Whether the prefilter lets ``text`` through (slow, for one text: tests and forms)."""
        return all(any(word in text for word in group) for group in self.prefilter)


@dataclass(frozen=True)
class CompiledPattern:
    regex: re.Pattern[str]  # the whole pattern
    parts: tuple[Part, ...]

    def may_match(self, text: str) -> bool:
        """Whether the prefilter lets ``text`` through (a slow check for one text; tests, forms)."""
        return any(
            part.may_match({w for group in part.prefilter for w in group if w in text}) for part in self.parts
        )


@dataclass(frozen=True)
class PatternProblem:
    """Why a pattern can't be used: ``invalid`` (``detail`` is Python's message) or ``empty``."""

    kind: str
    detail: str = ""

    def __str__(self) -> str:  # for the error log, in English
        if self.kind == "invalid":
            return f"this is not a valid regular expression: {self.detail}"
        return "this pattern matches an empty message, so it would flag every message"

    def message(self) -> str:  # for the person editing the pattern, in their language
        if self.kind == "invalid":
            return _("This is not a valid regular expression: %(error)s") % {"error": self.detail}
        return _("This pattern matches an empty message, so it would flag every message")


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> CompiledPattern | PatternProblem:
    """The compiled pattern, or why it can't be used; cached either way, so no pattern is
    compiled again for every message."""
    pattern = normalize_pattern(pattern)
    try:
        regex = re.compile(pattern, _flags(pattern))
    except (re.error, TypeError, ValueError, RecursionError, OverflowError) as error:
        return PatternProblem("invalid", str(error))
    if regex.search(""):
        return PatternProblem("empty")
    try:
        parts = _parts(pattern)
    except re.error:  # an alternative that only compiles in context: run the whole pattern
        parts = (Part(regex, ()),)
    return CompiledPattern(regex=regex, parts=parts)


def _parts(pattern: str) -> tuple[Part, ...]:
    """Alternatives that need words from two groups or more ("close" and "dispute") each get a
    part, so each is tried only where both are; the others share one part under the union of
    their words (a separate part per alternative would cost more than it saves)."""
    if _GLOBAL_FLAGS.match(pattern):
        return (Part(re.compile(pattern, _flags(pattern)), _prefilter(pattern)),)
    single: list[tuple[str, Prefilter]] = []
    parts: list[Part] = []
    always: list[str] = []
    for source in _alternatives(pattern):
        prefilter = _prefilter(source)
        if len(prefilter) > 1:
            parts.append(Part(re.compile(source, _flags(source)), prefilter))
        elif prefilter:
            single.append((source, prefilter))
        else:
            always.append(source)
    for sources, prefilter in (
        ([source for source, _p in single], (frozenset().union(*(p[0] for _s, p in single)),)),
        (always, ()),
    ):
        if sources:
            joined = "|".join(sources)
            parts.append(Part(re.compile(joined, _flags(joined)), prefilter))
    return tuple(parts)


def _flags(pattern: str) -> int:
    # The text is case-folded already. Without upper-case letters the pattern needs no
    # IGNORECASE, which lets ``re`` skip impossible positions by their first letter: 2-3x faster.
    return re.IGNORECASE if any(c.isupper() for c in _ESCAPE.sub("", pattern)) else 0


def _alternatives(pattern: str) -> list[str]:
    """``pattern`` split at its top-level "|" (outside groups, classes and escapes)."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]" or pattern[i + 1 : i + 3] == "^]":
                i += 2 if pattern[i + 1] == "]" else 3
                continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def validate_pattern(pattern: str) -> None:
    """Raise ``ValidationError`` unless ``pattern`` is a usable solicitation pattern (R-DSP-8)."""
    compiled = compile_pattern(pattern)
    if isinstance(compiled, PatternProblem):
        raise ValidationError(
            _(
                "%(problem)s. Patterns are Python regular expressions, matched case-insensitively "
                "on the normalised message."
            ),
            code="invalid_pattern",
            params={"problem": compiled.message()},
        )


# --- Prefilter ---------------------------------------------------------------------------------


class PatternSet:
    """The parts of a whole set of patterns, and one Aho-Corasick automaton over all their
    prefilter words: one pass over a text tells which parts may match it, however many there are.

    Each prefilter group gets a number; a word found in the text satisfies the groups it belongs
    to, and a part may match when all its groups are satisfied.
    """

    def __init__(self, parts: list[Part]) -> None:
        group_ids: dict[frozenset[str], int] = {}
        self.part_groups: list[frozenset[int]] = []
        for part in parts:
            self.part_groups.append(
                frozenset(group_ids.setdefault(g, len(group_ids)) for g in part.prefilter)
            )
        self._parts_of_group: list[list[int]] = [[] for _ in group_ids]
        self._always = [number for number, groups in enumerate(self.part_groups) if not groups]
        for number, groups in enumerate(self.part_groups):
            for group in groups:
                self._parts_of_group[group].append(number)
        groups_of_word: dict[str, set[int]] = {}
        for group, number in group_ids.items():
            for word in group:
                groups_of_word.setdefault(word, set()).add(number)
        self._automaton = ahocorasick.Automaton() if groups_of_word else None
        if self._automaton is not None:
            for word, numbers in groups_of_word.items():
                self._automaton.add_word(word, frozenset(numbers))
            self._automaton.make_automaton()

    def candidates(self, text: str) -> list[int]:
        """The numbers of the parts that may match ``text``, in order."""
        satisfied: set[int] = set()
        if self._automaton is not None:
            for _end, numbers in self._automaton.iter(text):
                satisfied |= numbers
        near = set(self._always)
        for group in satisfied:
            near.update(self._parts_of_group[group])
        return sorted(number for number in near if self.part_groups[number] <= satisfied)


def _prefilter(pattern: str) -> Prefilter:
    try:
        groups = _required(list(_sre_parse.parse(pattern, _flags(pattern))))
    except (RecursionError, ValueError, TypeError, AttributeError, re.error):
        return ()
    groups = [g for g in groups if all(word == word.casefold() for word in g)]
    return tuple(sorted(groups, key=_selectivity, reverse=True)[:_MAX_GROUPS])


def _selectivity(group: frozenset[str]) -> tuple[int, int]:
    """Longer shortest word first, then fewer words."""
    return min(map(len, group)), -len(group)


def _one(groups: list[frozenset[str]]) -> frozenset[str] | None:
    return max(groups, key=_selectivity) if groups else None


def _required(items: list) -> list[frozenset[str]]:
    """Groups of literal words: every match of the sequence ``items`` contains a word of each."""
    groups: list[frozenset[str]] = []
    run: list[str] = []

    def end_run() -> None:
        if len(run) >= _MIN_ATOM or (len(run) == 1 and run[0] in _SIGNS):
            groups.append(frozenset(["".join(run).lower()]))
        run.clear()

    for op, value in items:
        if op is _sre.LITERAL:
            run.append(chr(value))
            continue
        if op in (_sre.AT, _sre.ASSERT_NOT):
            continue  # takes no characters: "\\bclose" still needs "close"
        end_run()
        if op is _sre.SUBPATTERN:
            groups.extend(_required(list(value[-1])))
        elif op is _sre.BRANCH:
            branches = [_one(_required(list(branch))) for branch in value[1]]
            if all(branch is not None for branch in branches):
                groups.append(frozenset().union(*branches))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)):
            if value[0] >= 1:
                groups.extend(_required(list(value[2])))
        elif op is _sre.ASSERT and value[0] == 1:  # a lookahead's content is required too
            groups.extend(_required(list(value[1])))
        elif op is getattr(_sre, "ATOMIC_GROUP", None):
            groups.extend(_required(list(value)))
        elif op is _sre.IN and value == [(_sre.CATEGORY, _sre.CATEGORY_DIGIT)]:
            groups.append(_DIGITS)
    end_run()
    return groups
