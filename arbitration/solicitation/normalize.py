"""The one normalisation step before matching (R-DSP-8): what a pattern sees of a message.

``normalize(text)`` undoes the tricks sellers use to walk around a word list, and
``text_variants(text)`` adds a Russian transliteration of the Latin words, so Russian patterns
also read "zakroyte spor" and "pishite v telegu". Staff patterns go through ``normalize_pattern``
(the same Unicode folding), so a pattern and a message are always compared in one alphabet.

Steps, in order:

1. Unicode NFKC (full-width and styled letters become plain ones), accents dropped (but "й"
   kept), zero-width, bidi and other invisible characters removed, case folded, "ё" read as "е".
2. E-mail addresses kept whole; single letters spaced or dotted apart joined ("p a y p a l").
3. In every word: digits and symbols standing for letters read as letters ("cl0se",
   "P@yPal", "0тмените"), look-alike letters of the other script replaced ("РауРаl", "cпop"),
   and a word that differs from a watched name only by look-alikes ("PayPaI" with a capital I,
   "lnstagram", "vvechat", "telegrarn", "d1spute") read as that name: a canonical skeleton.
   A long brand name one typing slip away ("telegrm", "paypall", "instagarm") is read as the
   name too, a letter held down ("cloooose") as one letter, and a letter typed twice in a
   watched word ("теллеграмм", "закроййте") as once.
4. Sentence ends kept as ". ", other punctuation a space; "@", "$", "%", "+" and currency signs
   kept (handles, amounts, phone numbers), and "=" (round 18: "Отзыв = возврат" is an ask).
   Words separated by exactly one space.
"""

from __future__ import annotations

import re
import sys
import unicodedata

# --- 1. Unicode ----------------------------------------------------------------------------------

# Invisible characters removed outright: zero-width spaces and joiners, bidi marks, embeddings,
# overrides and isolates, word joiner, soft hyphen, BOM, Mongolian vowel separator, fillers.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u3164\ufeff\uffa0"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f]+"
)
# Combining marks (accents) after NFKD, except the breve of "й" (и + U+0306).
_MARKS = re.compile(
    r"[\u0300-\u0305\u0307-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff]|(?<![иИ])\u0306"
)


_CAPITAL_I_FOR_L = re.compile(r"(?<=[a-z])I")  # "PayPaI", "teIegram": a capital I inside a word is an l
_ACCENTED = re.compile(r"[\u00c0-\u024f\u0300-\u036f\u1e00-\u1eff\u0370-\u03ff]")


# Round 18: digits of other scripts read as 0-9 ("+٤٤ ٧٧٠٠" is a phone number), and the dotless
# "ı" as "i" ("dıspute"); NFKC leaves both alone.
NON_ASCII_DECIMALS = {
    code: str(unicodedata.decimal(chr(code)))
    for code in range(0x80, sys.maxunicode + 1)
    if chr(code).isdecimal()
}
_LOOKS_ASCII = {**NON_ASCII_DECIMALS, ord("ı"): "i"}


def _fold_unicode(text: str) -> str:
    text = _INVISIBLE.sub("", text)
    if "I" in text:
        text = _CAPITAL_I_FOR_L.sub("l", text)
    if not text.isascii():
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        if _ACCENTED.search(text):
            text = unicodedata.normalize("NFC", _MARKS.sub("", unicodedata.normalize("NFKD", text)))
        text = text.translate(_LOOKS_ASCII)
    return text.casefold().replace("ё", "е")


def normalize_pattern(pattern: str) -> str:
    """A staff pattern in the alphabet of ``normalize``: NFKC, no invisible characters, "ё" as
    "е", digits of other scripts as 0-9 and the dotless "ı" as "i". Case is left to
    ``re.IGNORECASE`` (folding case would change escapes like ``\\W``)."""
    pattern = unicodedata.normalize("NFKC", _INVISIBLE.sub("", pattern))
    return pattern.replace("ё", "е").replace("Ё", "Е").translate(_LOOKS_ASCII)


# --- 2. Spaced letters and e-mail addresses ------------------------------------------------------

# "p a y p a l", "p.a.y.p.a.l", "т-е-л-е-г-р-а-м": four or more single characters separated by
# spacing or punctuation are joined (three would merge Russian one-letter words: "а я в пути").
# A version with every space removed is deliberately not made: it merges ordinary words into
# false matches ("please pay all" -> "…paypal…"); brand names split into whole words ("pay pal")
# are the patterns' business.
_SPACED_LETTERS = re.compile(r"(?<![^\W_])(?:(?:[^\W_]|@)[\s.\-_*·•/\\|~'’]+){3,}(?:[^\W_]|@)(?![^\W_])")
_NOT_LETTER = re.compile(r"[^\w@]")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")  # anchored: no quadratic backtracking
_EMAIL_SLOT = 0xE000  # private-use characters stand in for e-mail addresses while the rest is cleaned

_SCRIPT_CHANGE = re.compile(r"(?<=[a-z])(?=[а-я])|(?<=[а-я])(?=[a-z])")


def _join_letters(match: re.Match[str]) -> str:
    """ "p . a . y" -> "pay"; a change of script stays a word break ("в W h a t s" -> "в whats")."""
    return _SCRIPT_CHANGE.sub(" ", _NOT_LETTER.sub("", match.group()))


# --- 3. Words: leet, scripts, skeleton -----------------------------------------------------------

# A message with a digit or sign inside a word, two scripts in a word or Greek letters takes
# the slow path, word by word; any other only has look-alikes of watched names read ("lnstagram").
_MIXED = re.compile(
    r"[a-z][а-яєіїјѕԁһӏԛԝ]|[а-яєіїјѕԁһӏԛԝ][a-z]|[α-ω]|[^\W\d_][0-9@$]|[0-9@$][^\W\d_]|[^\W\d_][!|][^\W\d_]"
)
_WORD = re.compile(r"[\w@$]+(?:[!|][\w@$]+)*")  # "!" and "|" only between letters: "p!ay", not "stop!"
_SIGN_OR_DIGIT = re.compile(r"[0-9@$!|]")
_LATIN_LETTER = re.compile(r"[a-z]")
_NON_LATIN_LETTER = re.compile(r"[а-яєіїјѕԁһӏԛԝα-ω]")


def _may_mix(text: str) -> bool:
    """Whether a word of ``text`` may mix scripts, digits or signs (cheap scans first)."""
    if _SIGN_OR_DIGIT.search(text) is None and (
        text.isascii() or _LATIN_LETTER.search(text) is None or _NON_LATIN_LETTER.search(text) is None
    ):
        return False
    return _MIXED.search(text) is not None


_CYRILLIC_TO_LATIN = str.maketrans("авекмнорстухіјѕԁһӏԛԝ", "abekmhopctyxijsdhlqw")
_LATIN_TO_CYRILLIC = str.maketrans("abcehkmoptxy", "авсенкмортху")
_GREEK_TO_LATIN = str.maketrans("αβεηικμνορτυχωςσ", "abehikmvoptyxwss")
_ONLY_CYRILLIC = re.compile(r"[бгджзийлпфцчшщъыьэюя]")  # letters with no Latin look-alike
_ONLY_LATIN = re.compile(r"[dfgijlnqrsuvwz]")
# Digits and symbols written for letters, replaced only inside a word and never next to another
# digit, so amounts ("30%", "15$", "23.50") and numbers (tracking, phone, card) stay.
_LEET_LATIN = {
    "0": "o",
    "1": "l",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "@": "a",
    "$": "s",
    "!": "i",
    "|": "l",
}
_LEET_CYRILLIC = {"0": "о", "3": "з", "6": "б", "@": "а", "4": "ч", "1": "л"}
_INSIDE_ONLY = frozenset("14")  # "те1еграм"; but "1шт", "4х" are numbers: only between two letters

# The canonical skeleton: every look-alike of a class folded to one member. A word whose skeleton
# is a watched name's skeleton is read as that name. Only long, distinctive names are watched, so
# no ordinary word shares a skeleton with one ("mall" would with "mail"; "mail" is not watched).
_SKELETON = str.maketrans(
    {"i": "l", "1": "l", "|": "l", "!": "l", "0": "o", "3": "e", "4": "a", "@": "a", "5": "s"}
)
_WATCHED = [
    "paypal",
    "whatsapp",
    "telegram",
    "viber",
    "wechat",
    "skype",
    "instagram",
    "facebook",
    "qiwi",
    "yoomoney",
    "webmoney",
    "payoneer",
    "skrill",
    "neteller",
    "revolut",
    "zelle",
    "venmo",
    "cashapp",
    "western",
    "union",
    "moneygram",
    "binance",
    "bitcoin",
    "close",
    "cancel",
    "dispute",
    "claim",
    "complaint",
    "withdraw",
    "refund",
]


def _skeleton(word: str) -> str:
    word = word.translate(_SKELETON)
    if "rn" in word:
        word = word.replace("rn", "m")
    if "vv" in word:
        word = word.replace("vv", "w")
    return word


_WATCHED_BY_SKELETON = {_skeleton(name): name for name in _WATCHED}
_FUZZY = {
    "i": "[il1|!]",
    "l": "[il1|!]",
    "o": "[o0]",
    "e": "[e3]",
    "a": "[a4@]",
    "s": "[s5$]",
    "m": "(?:m|rn)",
    "w": "(?:w|vv)",
}
_WATCHED_LOOKALIKE = re.compile(
    r"(?<![\w@$|!])(?:"
    + "|".join("".join(_FUZZY.get(c, c) for c in name) for name in sorted(_WATCHED, key=len, reverse=True))
    + r")(?![\w@$|!])"
)


def _watched(match: re.Match[str]) -> str:
    return _WATCHED_BY_SKELETON.get(_skeleton(match.group()), match.group())


def _script_of(char: str) -> str:
    if "а" <= char <= "я" or char in "ѐёђѓєѕіїјљњћќѝўџ":
        return "cyrillic"
    if "a" <= char <= "z":
        return "latin"
    return "other"


def _unleet(word: str) -> str:
    letters = sum(c.isalpha() for c in word)
    if letters < 2:
        return word
    cyrillic = sum(_script_of(c) == "cyrillic" for c in word) * 2 > letters
    table = _LEET_CYRILLIC if cyrillic else _LEET_LATIN
    out = []
    for i, c in enumerate(word):
        before = word[i - 1] if i else ""
        after = word[i + 1] if i + 1 < len(word) else ""
        if (
            c in table
            and not (before.isdigit() or after.isdigit())
            and (before.isalpha() or after.isalpha())
            and not (c == "@" and i == 0)  # "@handle"
            and not (cyrillic and c in _INSIDE_ONLY and not (before.isalpha() and after.isalpha()))
        ):
            out.append(table[c])
        else:
            out.append(c)
    return "".join(out)


def _unify_script(word: str) -> str:
    """Rewrite the minority script's look-alikes in a word that mixes Latin and Cyrillic.

    A letter that exists in only one script (Cyrillic "п", "л"; Latin "l", "s") shows which
    language the word is in: "cпop" is Russian, "РауРаl" is English. Without one, the majority
    wins ("кaрту" is Russian).
    """
    if any("α" <= c <= "ω" for c in word):
        word = word.translate(_GREEK_TO_LATIN)
    latin = sum("a" <= c <= "z" for c in word)
    cyrillic = sum(_script_of(c) == "cyrillic" for c in word)
    if not latin or not cyrillic:
        return word
    only_cyrillic = _ONLY_CYRILLIC.search(word) is not None
    only_latin = _ONLY_LATIN.search(word) is not None
    if only_cyrillic and only_latin:
        return word  # a genuinely mixed token ("юmoney"); left to the patterns
    to_cyrillic = only_cyrillic or (not only_latin and cyrillic > latin)
    return word.translate(_LATIN_TO_CYRILLIC if to_cyrillic else _CYRILLIC_TO_LATIN)


def _clean_word(match: re.Match[str]) -> str:
    word = _unify_script(_unleet(match.group()))
    if word.isascii() and len(word) >= 4:
        return _WATCHED_BY_SKELETON.get(_skeleton(word), word)
    return word


# One slip (a letter dropped, added, changed or two swapped) in a long brand name is still the
# name. Only names with no ordinary English word of six or more letters one slip away are here
# ("binance"/"finance", "discord"/"discard", "skrill"/"skills", "revolut"/"revolt" are not).
_NEAR_NAMES = (
    "paypal",
    "whatsapp",
    "telegram",
    "instagram",
    "facebook",
    "payoneer",
    "neteller",
    "moneygram",
    "bitcoin",
    "wechat",
)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


_NEAR_BY_KEY = {key: name for name in _NEAR_NAMES for key in (_deletions(name) | {name})}


# One slip leaves the first two or the last two letters of a name as they were and changes its
# length by at most one, so only words that keep one end of a name, at six letters or more, are
# looked at (one regex pass; most messages have none).
def _keeps_an_end(name: str) -> str:
    rest = f"[a-z]{{{max(4, len(name) - 3)},{len(name) - 1}}}"  # the word is 6 to len(name) + 1 long
    return f"{name[:2]}{rest}|{rest}{name[-2:]}"


# A letter typed twice inside a watched word ("teleggram", "теллеграмм", "вотсаапп", "закроййте")
# is read as once; only words that then are a watched word change, so "class", "ссылка" and
# "all" stay as written.
_DOUBLED_WATCHED = (
    *_WATCHED,
    "telegram",
    "телеграм",
    "телега",
    "телегу",
    "телеге",
    "вотсап",
    "ватсап",
    "вацап",
    "вайбер",
    "вибер",
    "инстаграм",
    "пейпал",
    "скайп",
    "киви",
    "сбер",
    "почту",
    "карту",
    "закройте",
    "закрой",
    "закроете",
    "отмените",
    "отзовите",
    "снимите",
    "уберите",
    "заберите",
    "спор",
    "спора",
    "диспут",
    "претензию",
    "жалобу",
)
_DOUBLE = re.compile(r"([^\W\d_])\1")
# A run of letters with a letter typed twice, matched from the run's start only (the lookbehind):
# the same runs as "[^\W\d_]*([^\W\d_])\1[^\W\d_]*", without retrying inside every run.
_WORD_WITH_DOUBLE = re.compile(r"(?<![^\W\d_])[^\W\d_]*?([^\W\d_])\1[^\W\d_]*")


def _undouble(word: str) -> str:
    return _DOUBLE.sub(r"\1", word)


_WATCHED_BY_UNDOUBLED = {_undouble(name): name for name in _DOUBLED_WATCHED}


def _doubled_watched(match: re.Match[str]) -> str:
    word = match.group()
    return _WATCHED_BY_UNDOUBLED.get(_undouble(word), word)


_LONG_WORD = re.compile(r"(?<![\w@$.])(?:" + "|".join(map(_keeps_an_end, _NEAR_NAMES)) + r")(?![\w@])")
_HELD_LETTER = re.compile(r"([a-zа-я])\1\1+")  # "cloooose": three or more of a letter


def _near_name(match: re.Match[str]) -> str:
    word = match.group()
    name = _NEAR_BY_KEY.get(word)
    if name is None:
        for key in _deletions(word):
            if (name := _NEAR_BY_KEY.get(key)) is not None:
                break
        else:
            return word
    return name


# --- 4. Punctuation ------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?;…]+(?=\s|$)|\n+")
_NOT_KEPT = re.compile(r"[^\w@$%+=€£₽¥\x00\ue000-\uf8ff]+")  # spacing and punctuation: one space
_EQUALS = re.compile(r"=+")  # a word of its own: "close=refund" reads "close = refund"
_SENTENCE_MARKS = re.compile(r"\s*\x00[\s\x00]*")


def normalize(text: str) -> str:
    """The text the patterns are matched against (see the module docstring)."""
    text = _fold_unicode(text or "")
    emails = _EMAIL.findall(text)[: 0xF8FF - _EMAIL_SLOT] if "@" in text else []
    for i, email in enumerate(emails):
        text = text.replace(email, chr(_EMAIL_SLOT + i), 1)
    text = _SPACED_LETTERS.sub(_join_letters, text)
    # A word mixing scripts, digits or signs is cleaned one by one; otherwise one regex pass
    # reads look-alike spellings of watched names.
    if _HELD_LETTER.search(text) is not None:
        text = _HELD_LETTER.sub(r"\1", text)
    text = _WORD_WITH_DOUBLE.sub(_doubled_watched, text)
    text = _WORD.sub(_clean_word, text) if _may_mix(text) else _WATCHED_LOOKALIKE.sub(_watched, text)
    text = _LONG_WORD.sub(_near_name, text)
    text = _SENTENCE_END.sub("\x00", text)
    if "=" in text:
        text = _EQUALS.sub(" = ", text)
    text = _NOT_KEPT.sub(" ", text)
    text = _SENTENCE_MARKS.sub(". ", text)
    for i, email in enumerate(emails):
        text = text.replace(chr(_EMAIL_SLOT + i), email)
    return text.strip(" .")


# --- The Russian transliteration variant -----------------------------------------------------------

# Russian written in Latin letters, read back: longest spellings first, then vowel + y/j/i
# before a consonant as "й" ("zakroyte", "zakroite"), then one letter at a time. Handles and
# e-mail addresses come out garbled; the patterns for them read the normalised text.
_DIGRAPHS = (
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"), ("ck", "к"),
    ("yu", "ю"), ("ya", "я"), ("yo", "е"), ("ye", "е"), ("ju", "ю"), ("ja", "я"), ("jo", "е"),
    ("iu", "ю"), ("ia", "я"),
)  # fmt: skip
_SHORT_I = re.compile(
    r"(?<=[aeiouyаеиоуыэюя])(?:[yj](?![aeiouаеиоуыэюя])|i(?=[bcdfghklmnpqrstvwxzжхцчшщ]|\b))"
)
_TS = re.compile(r"ts(?=[aeiouyаеиоуыэюя]|\b)")
_LETTERS = str.maketrans("abcdefghijklmnopqrstuvwxyz", "абцдефгхийклмнопкрстуввхыз")
_HAS_LATIN = re.compile(r"[a-z]")


def transliterate(normalized: str) -> str:
    """``normalized`` with its Latin letters read as transliterated Russian ("spor" -> "спор").

    Word for word: the result has the same words at the same positions, so a match in it can be
    compared with a match in the normalised text by word index.
    """
    text = normalized
    for latin, cyrillic in _DIGRAPHS:
        if latin in text:
            text = text.replace(latin, cyrillic)
    if "ts" in text:
        text = _TS.sub("ц", text)
    return _SHORT_I.sub("й", text).translate(_LETTERS)


def text_variants(text: str) -> tuple[str, ...]:
    """What the patterns are tried on: the normalised text and, when it has Latin words, its
    Russian transliteration (sellers mix languages and write Russian in Latin letters)."""
    normalized = normalize(text)
    if _HAS_LATIN.search(normalized) is None:
        return (normalized,)
    return normalized, transliterate(normalized)
