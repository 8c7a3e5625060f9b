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
import operator
import re
from collections.abc import Container
from dataclasses import dataclass
from re import _casefix  # type: ignore[attr-defined]

# The regex parser of the standard library (private, but stable since 3.11), only used to derive
# prefilters; typeshed does not describe it.
from re import _constants as _sre  # type: ignore[attr-defined]
from re import _parser as _sre_parse  # type: ignore[attr-defined]
from typing import Any

import ahocorasick
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from arbitration.solicitation.normalize import NON_ASCII_DECIMALS, normalize_pattern

_MIN_ATOM = 2  # a single letter ("в", "a") is in almost every message: no use as a filter
_SIGNS = frozenset("@$%+€£₽¥")  # but a single sign is rare enough ("@" of an e-mail address)
# What "\\d" matches: every Unicode decimal digit ("٣" too), not only 0-9 (normalisation reads
# them as 0-9, but a pattern may be tried on any text).
_DIGITS = frozenset("0123456789") | frozenset(map(chr, NON_ASCII_DECIMALS))
_MAX_GROUPS = 3  # the most selective groups of words kept per alternative
_ESCAPE = re.compile(r"\\.")  # "\W", "\S", "\D" are not upper-case letters to match
_EXTRA_CASES: dict[int, tuple[int, ...]] = _casefix._EXTRA_CASES  # "i" and "ı", "s" and "ſ", …
_POSSESSIVE = _sre.POSSESSIVE_REPEAT  # Python 3.11's "++", "*+", "?+"
_ATOMIC = _sre.ATOMIC_GROUP  # "(?>…)"
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _POSSESSIVE)
_SECOND = operator.itemgetter(1)  # the value of an Aho-Corasick hit (end, value)
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")  # "\\1", "(?P=name)", "(?(1)…)"
_GLOBAL_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")

Prefilter = tuple[frozenset[str], ...]  # a word of every group must be present; () = always run


@dataclass(frozen=True)
class Part:
    """One top-level alternative of a pattern and its prefilter."""

    regex: re.Pattern[str]
    prefilter: Prefilter

    def may_match(self, text: Container[str]) -> bool:
        """Whether the prefilter lets ``text`` (or a set of its words) through (slow, for one text:
        tests and forms)."""
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
        if self.kind == "possessive":
            return "a possessive repeat over a capturing group can crash Python's regex engine"
        return "this pattern matches an empty message, so it would flag every message"

    def message(self) -> str:  # for the person editing the pattern, in their language
        if self.kind == "invalid":
            return _("This is not a valid regular expression: %(error)s") % {"error": self.detail}
        if self.kind == "possessive":
            return _(
                "A possessive repeat over a capturing group (like “(a|b)++”) can crash Python’s regular "
                "expressions: write the group as “(?:a|b)++” or the repeat as “+”"
            )
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
    if _possessive_over_group(list(_sre_parse.parse(pattern, _flags(pattern)))):
        return PatternProblem("possessive")
    if regex.search(""):
        return PatternProblem("empty")
    try:
        parts = _parts(pattern)
    except re.error:  # an alternative that only compiles in context: run the whole pattern
        parts = (Part(regex, ()),)
    return CompiledPattern(regex=regex, parts=parts)


def _possessive_over_group(items: list[Any], inside: bool = False) -> bool:
    """Whether a possessive repeat ("++", "*+", "?+") holds a capturing group: Python 3.11's
    ``re`` raises SystemError on some texts for it ("The span of capturing group is wrong")."""
    for op, value in items:
        if op is _sre.SUBPATTERN:
            if (inside and value[0] is not None) or _possessive_over_group(list(value[-1]), inside):
                return True
        elif op is _sre.BRANCH:
            if any(_possessive_over_group(list(branch), inside) for branch in value[1]):
                return True
        elif op in _REPEATS:
            if _possessive_over_group(list(value[2]), inside or op is _POSSESSIVE):
                return True
        elif op is _sre.ASSERT or op is _sre.ASSERT_NOT:
            if _possessive_over_group(list(value[1]), inside):
                return True
        elif op is _ATOMIC and _possessive_over_group(list(value), inside):
            return True
    return False


def _parts(pattern: str) -> tuple[Part, ...]:
    """Alternatives that need words from two groups or more ("close" and "dispute") each get a
    part, so each is tried only where both are; the others share one part under the union of
    their words (a separate part per alternative would cost more than it saves), those needing a
    digit or a sign only apart from those needing a word, so a digit does not run them all."""
    flags = _flags(pattern)  # of the whole pattern: an upper-case letter anywhere makes all of it
    # ignore case, so every part must too
    if _GLOBAL_FLAGS.match(pattern) or _GROUP_REFERENCE.search(pattern):
        # Global flags, or a reference to a group ("\\1", "(?(1)…)") another alternative may
        # hold: split apart, the numbers would change. One part.
        return (Part(re.compile(pattern, flags), _prefilter(pattern, flags)),)
    single: list[tuple[str, Prefilter]] = []
    weak: list[tuple[str, Prefilter]] = []
    parts: list[Part] = []
    always: list[str] = []
    for source in _alternatives(pattern):
        prefilter = _prefilter(source, flags)
        if len(prefilter) > 1:
            parts.append(Part(re.compile(source, flags), prefilter))
        elif prefilter:
            (single if _selectivity(prefilter[0])[0] >= _MIN_ATOM else weak).append((source, prefilter))
        else:
            always.append(source)
    for sources, prefilter in (
        ([source for source, _p in single], (frozenset().union(*(p[0] for _s, p in single)),)),
        ([source for source, _p in weak], (frozenset().union(*(p[0] for _s, p in weak)),)),
        (always, ()),
    ):
        if sources:
            joined = "|".join(sources)
            parts.append(Part(re.compile(joined, flags), prefilter))
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
        for words, number in group_ids.items():
            for word in words:
                groups_of_word.setdefault(word, set()).add(number)
        self._automaton = ahocorasick.Automaton() if groups_of_word else None
        if self._automaton is not None:
            for word, numbers in groups_of_word.items():
                self._automaton.add_word(word, frozenset(numbers))
            self._automaton.make_automaton()

    def candidates(self, text: str) -> list[int]:
        """The numbers of the parts that may match ``text``, in order."""
        satisfied: set[int] = set()
        if self._automaton is not None:  # one C-level union over every hit, not one per hit
            satisfied = satisfied.union(*map(_SECOND, self._automaton.iter(text)))
        near = set(self._always).union(*map(self._parts_of_group.__getitem__, satisfied))
        groups = self.part_groups
        return sorted(number for number in near if groups[number] <= satisfied)


def _prefilter(pattern: str, flags: int) -> Prefilter:
    try:
        parsed = _sre_parse.parse(pattern, flags)
        info = _info(list(parsed), bool(parsed.state.flags & re.IGNORECASE))
    except (RecursionError, ValueError, TypeError, AttributeError, re.error):
        return ()
    groups = [g for g in info.all_groups() if all(word == word.casefold() for word in g)]
    # Ties broken by the words, so every process keeps the same groups (sets iterate by hash).
    return tuple(sorted(set(groups), key=lambda g: (_selectivity(g), sorted(g)), reverse=True)[:_MAX_GROUPS])


def _selectivity(group: frozenset[str]) -> tuple[int, int]:
    """Longer shortest word first, then fewer words."""
    return min(map(len, group)), -len(group)


@dataclass(frozen=True)
class _Info:
    """What every match of a piece of regex contains, as RE2's prefilter reads it: either the
    piece matches one of a few ``exact`` strings ("p[ae]y" matches "pay" or "pey"), or each match
    contains a word of every group in ``groups``. ``extra`` holds groups a lookahead requires of
    the text beside the match."""

    exact: frozenset[str] | None
    groups: tuple[frozenset[str], ...] = ()
    extra: tuple[frozenset[str], ...] = ()

    def as_groups(self) -> tuple[frozenset[str], ...]:
        """Every match contains a word of each of these (the exact strings become one group,
        when each is long enough to filter by)."""
        if self.exact is None:
            return self.groups
        usable = all(
            len(word) >= _MIN_ATOM or (len(word) == 1 and word in _SIGNS | _DIGITS) for word in self.exact
        )
        return (self.exact,) if self.exact and usable else ()

    def all_groups(self) -> tuple[frozenset[str], ...]:
        return self.as_groups() + self.extra


_EMPTY = _Info(frozenset([""]))  # takes no characters: "\\b", a lookbehind
_ANYTHING = _Info(None)  # nothing known: ".", "\\w+", a back-reference
_MAX_EXACT = 16  # strings kept in an exact set (RE2 keeps 16); beyond, their groups
_MAX_CLASS = 8  # characters of a class read as exact strings ("[ae]", not "[а-я]")


def _info(items: list[Any], ignore_case: bool) -> _Info:
    """The ``_Info`` of a sequence: neighbouring exact pieces multiply ("p[ae]y" gives "pay" and
    "pey") while the product stays small; otherwise their groups add up."""
    exact = frozenset([""])  # the exact strings of the run since the last piece that broke it
    groups: list[frozenset[str]] = []
    extra: list[frozenset[str]] = []
    whole = True  # every piece exact and the product small: the sequence is exact too
    for op, value in items:
        piece = _item_info(op, value, ignore_case)
        extra.extend(piece.extra)
        if piece.exact is not None and len(exact) * len(piece.exact) <= _MAX_EXACT:
            exact = frozenset(a + b for a in exact for b in piece.exact)
            continue
        whole = False
        groups.extend(_Info(exact).as_groups())
        if piece.exact is not None:
            exact = piece.exact
        else:
            groups.extend(piece.groups)
            exact = frozenset([""])
    if whole:
        return _Info(exact, extra=tuple(extra))
    groups.extend(_Info(exact).as_groups())
    return _Info(None, tuple(groups), tuple(extra))


def _item_info(op: Any, value: Any, ignore_case: bool) -> _Info:
    if op is _sre.LITERAL:
        chars = _chars(chr(value), ignore_case)
        return _Info(chars) if chars else _ANYTHING
    if op is _sre.AT or op is _sre.ASSERT_NOT or (op is _sre.ASSERT and value[0] == -1):
        return _EMPTY  # takes no characters: "\\bclose" still needs "close"
    if op is _sre.ASSERT:  # a lookahead: takes no characters, but its words are in the text
        return _Info(frozenset([""]), extra=_info(list(value[1]), ignore_case).all_groups())
    if op is _sre.SUBPATTERN:  # "(?i:…)" and "(?-i:…)" change the case rule inside
        _group, add_flags, del_flags, body = value
        inside = (ignore_case or bool(add_flags & re.IGNORECASE)) and not del_flags & re.IGNORECASE
        return _info(list(body), inside)
    if op is _ATOMIC:
        return _info(list(value), ignore_case)
    if op is _sre.BRANCH:
        return _branch_info([_info(list(branch), ignore_case) for branch in value[1]])
    if op in _REPEATS:
        low, high, body = value
        inner = _info(list(body), ignore_case)
        if low == high == 1:
            return inner
        if low == 0 and high == 1 and inner.exact is not None and len(inner.exact) < _MAX_EXACT:
            return _Info(inner.exact | {""})
        if low >= 1:
            return _Info(None, inner.as_groups())
        return _ANYTHING
    if op is _sre.IN:
        return _class_info(value, ignore_case)
    return _ANYTHING


def _branch_info(branches: list[_Info]) -> _Info:
    """Alternatives: their exact strings together while few; otherwise one group made of the
    most selective group of each alternative (none when an alternative has none)."""
    if all(branch.exact is not None for branch in branches):
        union = frozenset[str]().union(*(branch.exact or () for branch in branches))
        if len(union) <= _MAX_EXACT:
            return _Info(union)
    best = [max(groups, key=_selectivity) if (groups := branch.as_groups()) else None for branch in branches]
    if any(group is None for group in best):
        return _ANYTHING
    return _Info(None, (frozenset[str]().union(*(group for group in best if group is not None)),))


def _class_info(items: list[Any], ignore_case: bool) -> _Info:
    """A character class of a few plain characters ("[ae]", "\\d") reads as exact strings."""
    if items == [(_sre.CATEGORY, _sre.CATEGORY_DIGIT)]:
        return _Info(_DIGITS)
    chars: set[str] = set()
    for op, value in items:
        if op is _sre.LITERAL:
            chars |= _chars(chr(value), ignore_case)
        elif op is _sre.RANGE and value[1] - value[0] < _MAX_CLASS:
            for code in range(value[0], value[1] + 1):
                chars |= _chars(chr(code), ignore_case)
        else:
            return _ANYTHING
    return _Info(frozenset(chars)) if 0 < len(chars) <= _MAX_CLASS else _ANYTHING


def _chars(char: str, ignore_case: bool) -> frozenset[str]:
    """The characters of a case-folded text that ``char`` matches: itself, or with IGNORECASE
    every case form ``re`` accepts ("i" also matches the dotless "ı") that case-folding keeps."""
    if not ignore_case:
        return frozenset([char])
    forms = {char, char.lower(), char.upper()}
    forms |= {chr(code) for form in list(forms) if len(form) == 1 for code in _EXTRA_CASES.get(ord(form), ())}
    return frozenset(form for form in forms if len(form) == 1 and form.casefold() == form)
