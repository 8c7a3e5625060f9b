"""Named pieces of the default patterns for contacts written in words (R-DSP-8, round 3): an
e-mail address or a phone number spelled out so that no "@" or digit run shows. Part of
``fragments.FRAGMENTS``, expanded the same way.
"""

from __future__ import annotations

CONTACT_IN_WORDS = {
    # An e-mail address spelled out: "anna at gmail dot com", "olga собака mail точка ru",
    # "tomshop(at)yahoo(dot)com" (punctuation is a space after normalisation).
    "MAIL_AT": r"(?:at|собака|собачка|собачкой|эт)",
    "MAIL_DOT": r"(?:dot|dt|точка|тчк|дот)",
    "MAIL_TLD": r"(?:com|ru|net|org|me|io|de|uk|ua|by|kz|info|biz|co|ком|ру|нет|орг)",
    "MAIL_HOST": (
        r"(?:gmail|googlemail|yahoo|outlook|hotmail|proton\w*|icloud|mail|yandex|ya|rambler|bk|inbox|list"
        r"|gmx|aol"
        r"|live|мейл|майл|маил|мэйл|мэил|яндекс|гмейл|гмаил|гмэйл|джимейл|джимэйл|рамблер|яху)"
    ),
    "EMAIL_IN_WORDS": (
        r"\b[\w]+ <MAIL_AT> (?:[\w]+ ){1,2}?<MAIL_DOT> <MAIL_TLD>\b"
        r"|\b<MAIL_AT> <MAIL_HOST> (?:<MAIL_DOT> )?<MAIL_TLD>\b"
        r"|@[\w-]+ <MAIL_DOT> <MAIL_TLD>\b"
    ),
    # A phone number spelled out, eight numbers or more with a word among them: "seven nine one
    # six five five five…", "восемь девятьсот шестнадцать сто двадцать три…", "плюс семь девять два шесть".
    "NUM_WORD": (
        r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
        r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred"
        r"|double|triple|ноль|нуль|один|одна|два|две|три|четыре|пять|шесть|семь|восемь|девять|десять"
        r"|\w+надцать|двадцать|тридцать|сорок|пятьдесят|шестьдесят|семьдесят|восемьдесят|девяносто|сто"
        r"|двести|триста|четыреста|пятьсот|шестьсот|семьсот|восемьсот|девятьсот|\d{1,4})"
    ),
    "PHONE_IN_WORDS": (
        r"(?<![^ ])(?=(?:\d+ )*(?!\d)<NUM_WORD>\b)(?:<NUM_WORD> ){7,}<NUM_WORD>\b"
        r"|\b(?:plus|плюс) (?:<NUM_WORD> ){3,}<NUM_WORD>\b"
    ),
}
