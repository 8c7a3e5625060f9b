"""Off-platform solicitation detector (R-DSP-8).

A seller message is flagged when it asks the buyer to close, cancel or withdraw the dispute, or
offers money, discounts or contact outside the platform. The patterns live in the database
(``SolicitationPattern``) so supervisors change them without a deploy; ``DEFAULT_PATTERNS`` is the
set the data migration ships. Every pattern is matched on ``normalize(text)``, never on the raw
text, so one pattern catches "PayPal", "p a y p a l", "P@yPal" and "РауРаl" (Cyrillic Р, а, у).

What counts (the labelled corpus in tests/arbitration/data follows these decisions):

- Any request or suggestion that the buyer close, cancel, withdraw, revoke, stop or "finish"
  the dispute is flagged, however polite, whether or not money is offered, and even when it is
  conditional ("if the parcel arrives, you can close the dispute"), and so is asking to mark it
  "resolved" or "received". R-DSP-4 leaves closing to the buyer alone; a flag is only a warning
  beside the message and evidence for the arbiter.
- Statements about how the platform closes a dispute are not flagged: "the dispute will be
  closed automatically after the refund", "спор будет закрыт после возврата средств", "when
  you accept our offer the dispute closes" (accepting an offer is an in-platform action, R-DSP-5),
  nor a seller telling the buyer *not* to close it.
- Grey area, a discount or coupon: an unconditional coupon or promo code for a future order,
  given through the platform's coupon system ("we have sent you a store coupon for your next
  order, your dispute is not affected") is NOT flagged: it costs the buyer nothing and leaves
  the dispute alone. A discount, coupon, gift or bonus offered *for* closing the dispute
  ("30% скидки, но чтобы вы закрыли спор") is flagged, whatever the channel.
- Cards and PayPal are also the platform's own payment methods, so a bare mention is not
  flagged ("the money will go back to the card you paid with", "you paid with PayPal, so the
  refund goes back to your PayPal"). They are flagged when the seller offers to send money
  there himself ("I will send it to your PayPal", "переведу на карту"), asks for the details
  ("your PayPal email", "номер карты"), or names them as the way to pay ("refund by PayPal").
- Payment channels the platform never uses (Qiwi, YooMoney, WebMoney, Western Union, Skrill,
  Payoneer …) and messengers (WhatsApp, Telegram, Viber, WeChat, Skype …) are flagged on any
  mention, except in a sentence that warns against them ("we never ask you to contact us on
  WhatsApp", "мы никогда не просим …"). So is moving the conversation to e-mail or the phone
  (asking for the buyer's number or address, giving one's own, "call me").
- Asking the buyer to change the claim, to accept an offer in the dispute, or to wait for
  delivery is not flagged: those stay inside the platform.

A pattern's ``language`` is for the people who edit it: every active pattern is tried on every
message, because sellers mix languages and transliterate ("пейпал", "киви").

Every pattern must compile with Python's ``re``; a broken one is skipped and logged, never
raised, because message posting must not fail on a supervisor's typo (``validate_pattern`` stops
most typos in the admin first).
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping

from arbitration.models import SolicitationPattern
from arbitration.models.solicitation import compile_pattern, validate_pattern

# ``validate_pattern`` lives beside the model it validates (so the models never import the
# detector); it is re-exported here, where the admin and the tests look for it.
__all__ = ["DEFAULT_PATTERNS", "find_solicitation", "normalize", "validate_pattern"]

log = logging.getLogger(__name__)

# --- Normalisation ----------------------------------------------------------------------------

# Look-alike letters. Only tokens that mix scripts are rewritten (see ``_unify_script``), so an
# ordinary Russian word such as "сор" or an English "cop" is never turned into the other script.
_CYRILLIC_TO_LATIN = dict(zip("авекмнорстухіјѕԁһӏԛԝ", "abekmhopctyxijsdhlqw", strict=True))
_LATIN_TO_CYRILLIC = dict(zip("abcehkmoptxy", "авсенкмортху", strict=True))
_GREEK_TO_LATIN = dict(zip("αβεηικμνορτυχωςσ", "abehikmvoptyxwss", strict=True))

# Digits and symbols written for letters ("cl0se", "P@yPal", "te1egram", "0тмените"). They are
# replaced only inside a word and never next to another digit, so amounts ("30%", "15$", "23.50")
# and numbers (tracking, phone, card) are left alone.
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
_LEET_CYRILLIC = {"0": "о", "3": "з", "6": "б", "@": "а", "4": "ч"}

# "p a y p a l", "p.a.y.p.a.l", "т-е-л-е-г-р-а-м", "p @ y p @ l": four or more single characters
# separated by spacing or punctuation are joined into one word (three would merge Russian one-letter
# words: "а я в пути"; spelled-out names are longer than three letters). Only *single* characters are
# joined; a version of the text with every space removed is deliberately not produced, because
# it merges ordinary words into false matches ("этот говар" -> "…тг…", "please pay all" ->
# "…paypal…"). Brand names split into whole words ("pay pal", "whats app") are the patterns'
# business: they allow an optional space ("pay ?pal").
_SPACED_LETTERS = re.compile(r"(?<![^\W_])(?:(?:[^\W_]|@)[\s.\-_*·•/\\|~'’]+){3,}(?:[^\W_]|@)(?![^\W_])")
_WORD = re.compile(r"[\w@$]+(?:[!|][\w@$]+)*")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")  # anchored: no quadratic backtracking
_EMAIL_SLOT = 0xE000  # private-use characters stand in for e-mail addresses while the rest is cleaned
_SENTENCE_END = re.compile(r"[.!?;…]+(?=\s|$)|\n+")
_OTHER_PUNCTUATION = re.compile(r"[^\w\s@$%+\x00\ue000-\uf8ff]")
_SPACES = re.compile(r"\s+")
_SENTENCE_MARKS = re.compile(r"\s*\x00[\s\x00]*")


def _script(char: str) -> str:
    if "\u0400" <= char <= "\u04ff":
        return "cyrillic"
    if char.isascii() and char.isalpha():
        return "latin"
    return "other"


def _unify_script(word: str) -> str:
    """Rewrite the minority script's look-alikes in a word that mixes Latin and Cyrillic.

    A letter that exists in only one script (Cyrillic "п", "л", "ю"; Latin "l", "w", "s")
    shows which language the word is in: "cпop" is Russian, "РауРаl" is English. Without
    such a letter, the majority wins ("кaрту" is Russian).
    """
    if any("\u0370" <= c <= "\u03ff" for c in word):
        word = "".join(_GREEK_TO_LATIN.get(c, c) for c in word)
    scripts = [_script(c) for c in word]
    latin, cyrillic = scripts.count("latin"), scripts.count("cyrillic")
    if not latin or not cyrillic:
        return word
    only_cyrillic = any(
        s == "cyrillic" and c not in _CYRILLIC_TO_LATIN for c, s in zip(word, scripts, strict=True)
    )
    only_latin = any(s == "latin" and c not in _LATIN_TO_CYRILLIC for c, s in zip(word, scripts, strict=True))
    if only_cyrillic and only_latin:
        return word  # a genuinely mixed token ("юmoney"); leave it to the patterns
    to_cyrillic = only_cyrillic or (not only_latin and cyrillic > latin)
    table = _LATIN_TO_CYRILLIC if to_cyrillic else _CYRILLIC_TO_LATIN
    return "".join(table.get(c, c) for c in word)


def _unleet(word: str) -> str:
    letters = sum(c.isalpha() for c in word)
    if letters < 2:
        return word
    cyrillic = sum(_script(c) == "cyrillic" for c in word) * 2 > letters
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
        ):
            out.append(table[c])
        else:
            out.append(c)
    return "".join(out)


def _clean_word(match: re.Match[str]) -> str:
    return _unify_script(_unleet(match.group()))


def _strip_marks(text: str) -> str:
    """NFKD without accents and invisible characters, but keeping "й" (и + breve)."""
    out: list[str] = []
    for c in unicodedata.normalize("NFKD", text):
        category = unicodedata.category(c)
        if category == "Cf":  # zero-width spaces and joiners, soft hyphens: "pay\u200bpal"
            continue
        if category == "Mn" and not (c == "\u0306" and out and out[-1] in "иИ"):
            continue
        out.append(c)
    return unicodedata.normalize("NFC", "".join(out))


def normalize(text: str) -> str:
    """The text the patterns are matched against.

    Lower case (Unicode case folding after NFKD, so full-width and styled letters become plain
    ones), accents and invisible characters removed, "ё" read as "е"; single characters spaced
    or dotted apart joined ("p . a . y" -> "pay"); digits and symbols standing for letters inside
    a word read as letters ("cl0se", "p@ypal"); look-alike letters of the other script inside a
    mixed word replaced ("рауpal" -> "paypal", "cпop" -> "спор"); sentence ends kept as ". "
    so a pattern can stay within a sentence with ``[^.]``; every other punctuation mark becomes
    a space, except "@" (handles), "$", "%" and "+" (amounts, phone numbers); e-mail addresses
    are kept whole. Words stay separated by exactly one space.
    """
    text = _strip_marks(text).casefold()
    emails = _EMAIL.findall(text)[: 0xF8FF - _EMAIL_SLOT]
    for i, email in enumerate(emails):
        text = text.replace(email, chr(_EMAIL_SLOT + i), 1)
    text = _SPACED_LETTERS.sub(lambda m: re.sub(r"[^\w@]", "", m.group()), text)
    text = _WORD.sub(_clean_word, text)
    text = _SENTENCE_END.sub("\x00", text)
    text = _OTHER_PUNCTUATION.sub(" ", text)
    text = _SPACES.sub(" ", text)
    text = _SENTENCE_MARKS.sub(". ", text)
    for i, email in enumerate(emails):
        text = text.replace(chr(_EMAIL_SLOT + i), email)
    return text.strip(" .")


# --- Matching ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _report_unusable(name: str, pattern: str, problem: str) -> None:
    # Once per process and pattern, not once per message: the error log is read by people.
    log.error("Solicitation pattern %r is skipped: %s", name, problem)


def find_solicitation(text: str, *, patterns: Iterable[Mapping[str, str]] | None = None) -> list[str]:
    """Names of the solicitation patterns the message matches, sorted; empty when clean (R-DSP-8).

    ``patterns`` defaults to the active ``SolicitationPattern`` rows; pass mappings with
    ``name`` and ``pattern`` (e.g. ``DEFAULT_PATTERNS``) to evaluate a set without a database.
    """
    pairs: Iterable[tuple[str, str]] = (
        SolicitationPattern.objects.filter(is_active=True).values_list("name", "pattern")
        if patterns is None
        else [(row["name"], row["pattern"]) for row in patterns]
    )
    normalised = normalize(text or "")
    found = set()
    for name, pattern in pairs:
        compiled = compile_pattern(pattern)
        if isinstance(compiled, str):
            _report_unusable(name, pattern, compiled)
            continue
        if compiled.search(normalised):
            found.add(name)
    return sorted(found)


# --- The default set (copied, frozen, into migration 0002) -------------------------------------
#
# Written with named fragments, "<NAME>", expanded by ``_expand``; migration 0002 holds the
# expanded strings. Windows use [^.] to stay inside one sentence where two words must be linked
# grammatically, and .{0,N} where a message's second sentence often carries the offer.

_FRAGMENTS = {
    # A sentence that warns against the thing ("we never ask you to use WhatsApp", "do not pay
    # anyone outside the platform", "мы никогда не просим …") is not a solicitation. Patterns that
    # flag a mere mention start with this: from a sentence start, no such warning before the match.
    "UNLESS_WARNED": (
        r"(?:^|\. )(?:(?!\b(?:never|no one|nobody"
        r"|(?:do not|don t|dont|cannot|can t|won t|will not) (?:ever )?"
        r"(?:ask|pay|send|transfer|contact|write|use|trust|share|give|accept|move|go|refund|answer|reply)"
        r"|никогда|не (?:просим|пишите|переводим|переводите|отправляем|можем|пишем|общаемся|платите"
        r"|оплачивайте|сообщайте|давайте|доверяйте|переходите))\b)[^.])*?"
    ),
    "NOT_BEFORE_EN": r"(?<!not )(?<! t )(?<!dont )(?<!never )(?<!cannot )(?<!no need to )",
    "NOT_BEFORE_RU": (
        r"(?<!не )(?<!нельзя )(?<!не можем )(?<!не могу )(?<!не может )"
        r"(?<!не нужно )(?<!не надо )(?<!не стоит )"
    ),
    "PAYPAL": r"(?:p[ae]y ?p[ae]l|п[еэа]й ?п[аэе]л)",
    "CLOSE_EN": (
        r"(?:close|clos|closing|cancel+|cancle|cansel|cancel+ing|withdraw|withdrawing|revoke|retract|end|finish"
        r"|stop|drop|remove|delete|terminate|abandon|take back|call off|pull back|give up(?: on)?)"
    ),
    "DETERMINERS_EN": r"(?: (?:the|this|that|your|ur|my|our|a|an|open|opened|current))*",
    "DISPUTE_EN": r"(?:disput\w*|dispiut\w*|claims?|case|complaint|(?:refund|return) request)",
    "CLOSE_DISPUTE_EN": r"<NOT_BEFORE_EN>\b<CLOSE_EN><DETERMINERS_EN> <DISPUTE_EN>\b",
    "CLOSE_RU": (
        r"(?:закройте|закрой|закрыть|закрывайте|закрывай|отмените|отмени|отменить|отменяйте|отзовите|отзови"
        r"|отозвать|снимите|сними|снять|завершите|заверши|завершить|аннулируйте|аннулируй|аннулировать"
        r"|откажитесь от|отказаться от)"
    ),
    "CLOSE_RU_YOU": (
        r"(?:закроете|закроешь|закрыли|закрыла|закрываете|отмените|отменяете|отменили|отзовете|отзываете|отозвали"
        r"|снимете|снимаете|отзовешь|аннулируете)"
    ),
    "DISPUTE_RU": r"(?:спор\w*|диспут\w*|претензи\w*|жалоб\w*)",
    "CLOSE_DISPUTE_RU": r"<NOT_BEFORE_RU>\b(?:<CLOSE_RU>|<CLOSE_RU_YOU>) (?:[^ .]+ ){0,2}?<DISPUTE_RU>",
    "GIFTS_EN": (
        r"(?:discount\w*|bonus\w*|coupon\w*|gift\w*|cash ?back|reward\w*|store credit|\b\d+ ?% off|\b\d+ ?%"
        r"|compensat\w*|free (?:item|product|goods|one)\w*)"
    ),
    "GIFTS_RU": r"(?:скидк\w*|бонус\w*|купон\w*|промокод\w*|подар\w*|к[эе]шб[эе]к\w*|компенсац\w*|\b\d+ ?%)",
    "E_WALLETS": (
        r"qiwi|(?:на|через|по|в) киви\b|киви ?кошел\w*|кошел\w* киви|номер киви|yoo ?money|ю ?money|ю ?мани"
        r"|yandex ?money|яндекс ?деньг\w*|яндекс ?кошел\w*|web ?money|вебмани|\bwm[zr]\b|western ?union"
        r"|вестерн ?юнион|money ?gram|мани ?грам|skrill|скрилл?\b|neteller|нетеллер|payoneer|пайонир"
        r"|zelle|venmo|cash ?app|revolut|bitcoin|\bbtc\b|\busdt\b|crypto\w*|binance"
        r"|биткоин\w*|крипт\w*|бинанс\w*"
    ),
    "MONEY_VERB_EN": r"(?:send|sent|refund|transfer|pay|return|give|compensate|wire|put|add)",
    "CHANNEL_EN": (
        r"(?:<PAYPAL>|<E_WALLETS>|wise|we ?chat|(?:bank |credit |debit |visa |master ?card )?card\b"
        r"(?! reader)|bank account|bank transfer|account number|e ?wallet|wallet|iban)"
    ),
    "MONEY_VERB_RU": (
        r"(?:верну|вернем|переведу|переведем|отправлю|отправим|вышлю|вышлем|скину|скинем|кину|кинем|перечислю"
        r"|предлагаю|предлагаем|перечислим|компенсирую|компенсируем|заплачу|заплатим|выплачу|выплатим|пришлю"
        r"|пришлем|возмещу|возместим|(?:могу|можем|готов\w*|хочу|хотим) (?:\S+ ){0,2}?(?:вернуть|перевести"
        r"|отправить|выслать|скинуть|перечислить|компенсировать|выплатить|заплатить|возместить))"
    ),
    "CHANNEL_RU": (
        r"(?:карт(?:у|е|ы|очку)\b|кошел\w*|кошельк\w*|<PAYPAL>|<E_WALLETS>|киви|сбер\w*"
        r"|тинькофф\w*|тиньков\w*|tinkoff|т банк\w*|\bсбп\b|быстрых платежей|телефон\b|счет\b)"
    ),
    # "… to your card through the platform" names the platform's own refund route: not an offer.
    "NOT_IN_PLATFORM": (
        r"(?!(?: \S+){0,3} (?:through|via|by|in|on|через|на|в) (?:the )?(?:platform|aliexpress|marketplace"
        r"|dispute|system|order|площадк\w*|платформ\w*|спор\w*|систем\w*|заказ\w*))"
    ),
    # Anchored at a token start: an unanchored [\w.+-]+@ backtracks quadratically on a long word.
    "EMAIL_ADDRESS": r"(?<![\w.+-])[\w.+-]+@[\w-]+\.[a-z]{2,}",
    "ASK_EN": r"\b(?:give|send|tell|write|share|provide|leave|text)(?: me| us)? (?:your|ur) (?:\S+ ){0,2}?",
    "ASK_RU": (
        r"\b(?:скиньте|скинь|дайте|дай|пришлите|пришли|напишите|отправьте|подскажите|сообщите|оставьте|укажите)"
    ),
}


def _expand(pattern: str) -> str:
    while (expanded := re.sub(r"<([A-Z_]+)>", lambda m: _FRAGMENTS[m[1]], pattern)) != pattern:
        pattern = expanded
    return pattern


def _default(name: str, language: str, description: str, *alternatives: str) -> dict[str, str]:
    """One default pattern: its alternatives joined with "|" and its fragments expanded."""
    return {
        "name": name,
        "language": language,
        "description": description,
        "pattern": _expand("|".join(alternatives)),
    }


DEFAULT_PATTERNS: list[dict[str, str]] = [
    _default(
        "close-dispute-request-en",
        "en",
        'Asks the buyer to close, cancel or withdraw the dispute, claim or case ("please close the dispute", '
        '"cancel dispute", "withdraw it", "mark the dispute as resolved"); not "do not close" and not '
        '"the dispute will be closed".',
        r"<CLOSE_DISPUTE_EN>",
        r"\b(?:disput\w*|claim|complaint)\b.{0,80}?<NOT_BEFORE_EN>"
        r"\b(?:close|cancel+|cancle|withdraw|withdrawing|revoke|stop|end|finish|drop|remove|retract) it\b",
        r"\b(?:mark|set|change|switch|update|put)(?: [^ .]+){0,3}? <DISPUTE_EN>(?: status)? (?:as|to|into) "
        r"(?:resolved|solved|closed|received|finished|completed|done|cancel+ed)\b",
        r"\blet (?:the |this |your |my |our )?(?:disput\w*|claim|case|complaint) go\b",
    ),
    _default(
        "close-dispute-request-ru",
        "ru",
        'Просит закрыть, отменить, отозвать или снять спор, диспут, претензию ("закройте спор", '
        '"отмените диспут", "чтобы вы закрыли спор", "оформите закрытие спора"); не "спор будет закрыт" '
        'и не "не закрывайте спор".',
        r"<NOT_BEFORE_RU>\b<CLOSE_RU> (?:[^ .]+ ){0,2}?<DISPUTE_RU>",
        r"\b(?:вы|чтобы|чтоб|если|когда) (?:[^ .]+ ){0,2}?<CLOSE_RU_YOU> (?:[^ .]+ ){0,2}?<DISPUTE_RU>",
        r"\b<DISPUTE_RU> (?:[^ .]+ ){0,4}?<NOT_BEFORE_RU>"
        r"(?:закройте|закрой|закрывайте|закрываете|отмените|отмени|отзовите|снимите|завершите|аннулируйте)\b",
        r"\b<DISPUTE_RU>.{0,80}?<NOT_BEFORE_RU>\b<CLOSE_RU> (?:его|ее|это)\b",
        r"\b(?:оформите|нажмите|сделайте|подтвердите|прошу|просим|оформи|сделай)(?: [^ .]+){0,2}? "
        r"(?:закрытие|отмену|отзыв|снятие|аннулирование)(?: [^ .]+)? (?:спора|диспута|претензии|жалобы)\b",
    ),
    _default(
        "discount-for-closing",
        "any",
        "A discount, coupon, gift, bonus or compensation offered for closing the dispute "
        '("20% discount if you close the dispute", "close the dispute, we send you a gift", '
        '"30% скидки, но чтобы вы закрыли спор").',
        # Both in one message, in either order; anchored at the start so it is one linear scan.
        r"^(?=.*?<GIFTS_EN>).*?<CLOSE_DISPUTE_EN>",
        r"^(?=.*?<GIFTS_RU>).*?<CLOSE_DISPUTE_RU>",
    ),
    _default(
        "money-offer-en",
        "en",
        "The seller offers to send money himself to a card, bank account, PayPal or e-wallet "
        '("I will refund you to your PayPal", "we can send the money to your bank card").',
        r"<UNLESS_WARNED>\b(?:i|we)(?: ll| will| can| could| would| shall| may| am going to| are going to)?"
        r"(?: (?!never|not|cannot|can t|don t|won t)\w+)? <MONEY_VERB_EN>\w*\b[^.]{0,60}?\b<CHANNEL_EN>"
        r"<NOT_IN_PLATFORM>",
    ),
    _default(
        "money-offer-ru",
        "ru",
        "Продавец сам предлагает перевести деньги на карту, кошелёк, PayPal, телефон "
        '("переведу на карту сбера", "верну на пейпал", "на сбер переведу").',
        r"<UNLESS_WARNED><NOT_BEFORE_RU>\b<MONEY_VERB_RU>\b[^.]{0,60}?(?:на|через|по|в) (?:[^ .]+ ){0,2}?"
        r"<CHANNEL_RU><NOT_IN_PLATFORM>",
        r"(?:на|через) (?:[^ .]+ ){0,2}?<CHANNEL_RU>[^.]{0,30}?\b<MONEY_VERB_RU>\b",
    ),
    _default(
        "paypal",
        "any",
        "PayPal named as the way to pay or refund, or the buyer's PayPal details asked for "
        '("refund by PayPal", "your paypal email", "PayPal is faster", "через пейпал"); not '
        '"you paid with PayPal".',
        r"<UNLESS_WARNED>(?:(?<!paid )(?<!pay )(?<!paying )(?<!оплачивали )(?<!оплатили )(?<!платили )"
        r"\b(?:by|via|through|using|over|через|по) (?:your |my |ваш \S+ )?<PAYPAL>"
        r"|<PAYPAL> (?:email|e mail|account|acc|address|id|почт\w*|аккаунт\w*|адрес\w*)\b"
        r"|<PAYPAL> (?:is )?(?:\S+ )?(?:faster|quicker|better|easier|быстрее|удобнее|быстрый)"
        r"|\b(?:we|i)(?: ll| will| can)? <PAYPAL> you\b"
        r"|<PAYPAL> (?:refund|transfer|payment)\b)",
    ),
    _default(
        "e-wallet-or-money-transfer",
        "any",
        "A payment channel the platform never uses: Qiwi, YooMoney/Яндекс.Деньги, WebMoney, "
        "Western Union, MoneyGram, Skrill, Neteller, Payoneer, Wise, Zelle, Venmo, Cash App, crypto.",
        r"<UNLESS_WARNED>(?:<E_WALLETS>"
        r"|(?:via|by|through|with|on|using) wise\b|wise (?:transfer|account|email))",
    ),
    _default(
        "card-or-account-details-request",
        "any",
        "Asks for the buyer's card, account or wallet number, or gives a card number "
        '("send me your card number", "скиньте номер карты", "номер кошелька", "реквизиты").',
        r"<UNLESS_WARNED>(?:card number|card details|16 digits|account number|\biban\b"
        r"|wallet (?:number|id|address)"
        r"|номер\w* (?:\S+ )?(?:карт\w*|кошел\w*|кошельк\w*|счета)|реквизит\w*|номер телефона привязан\w*"
        r"|<ASK_EN>(?:card|bank account|account(?: number| details)?|wallet|<PAYPAL>)\b"
        r"|<ASK_RU> (?:мне |нам )?(?:[^ .]+ ){0,2}?(?:карт[уы]\b|кошел\w*|счет\b)"
        r"|\b(?:\d{4} ?){3}\d{4}\b)",
    ),
    _default(
        "messenger",
        "any",
        "Moves the conversation to a messenger: WhatsApp/ватсап, Telegram/телеграм/тг, Viber/вайбер, "
        'WeChat, Skype/скайп, VK, Instagram, "напишите мне в личку".',
        r"<UNLESS_WARNED>(?:what ?s ?app|wh?ats ?app|whatsap|в[ао](?:тс|ц|тц|дс)ап\w*|уатсап\w*|уотсап\w*"
        r"|tele ?gram\w*|телеграм\w*|телег[аеуиой]\b|\bтг\b|\btg @|(?:on|in|via|at|в) (?:tg|wa)\b"
        r"|\bt me [a-z0-9_]{3,}|viber|вайбер\w*|вибер\w*|we ?chat|вичат\w*|skype|скайп\w*|вконтакте|\bвк\b"
        r"|\bvk\b|instagram|инстаграм\w*|\b(?:в|на) (?:личку|лс|личные сообщения|директ)\b|\b(?:dm|pm) me\b"
        r"|private message)",
    ),
    _default(
        "off-platform-contact",
        "any",
        "Asks for the buyer's phone or e-mail, gives an e-mail address, or moves the talk to a phone "
        'call or e-mail ("leave your phone number", "call me", "пишите мне на почту", "оставьте номер").',
        r"<UNLESS_WARNED>(?:<EMAIL_ADDRESS>"
        r"|<ASK_EN>(?:email|e mail|phone number|phone no|mobile number|contacts?)\b"
        r"|\b(?:call|ring) me\b|\b(?:manager|agent|operator|we) will (?:call|phone|email|e mail|text) you\b"
        r"|\b(?:email|e mail|write|mail|message|contact)(?: me| us)? (?:at|on|to|via|by) (?:my |our )?"
        r"(?:email|e mail|gmail|mail)\b"
        r"|<ASK_RU>(?: мне| нам)? (?:[^ .]+ ){0,2}?(?:почт[уы]\b|email|e mail|емейл|имейл|телефон\b"
        r"|номер\b(?! (?:заказа|трек\w*|отслеживани\w*|посылки|спора)))"
        r"|\b(?:пишите|напишите|написать|свяжитесь|обращайтесь)(?: мне| нам)? (?:на|по) (?:[^ .]+ )?"
        r"(?:почт\w*|email|e mail|емейл|имейл|телефону)"
        r"|\b(?:решим|обсудим|поговорим|договоримся)(?: [^ .]+){0,2}? по телефону|\bпозвоните (?:мне|нам)\b"
        r"|\bсозвонимся\b|\bнаберите (?:мне|нас)\b)",
    ),
    _default(
        "outside-platform",
        "any",
        'Settles the refund outside the platform or without arbitration ("outside AliExpress", "no need '
        'for the dispute", "settle it between us", "в обход Али", "вне платформы", "без арбитража").',
        r"<UNLESS_WARNED>(?:outside (?:of )?(?:the )?(?:aliexpress|ali|platform|site|marketplace|system|app)"
        r"|(?:without|bypass\w*|no need (?:for|of|to wait for)) (?:the |a )?"
        r"(?:aliexpress|ali|platform|dispute|arbitration|marketplace|site)\b"
        r"|\b(?:dispute|arbitration|platform) is not (?:necessary|needed)"
        r"|between us\b|privately|in private|\b(?:in )?(?:an)?other way\b"
        r"|\b(?:settle|solve|resolve|sort|handle|fix|decide)(?: it| this| everything"
        r"| the (?:problem|issue|refund|matter))?(?: out)? "
        r"(?:ourselves|ourself|directly|personally|outside)\b"
        r"|вне (?:платформ\w*|площадк\w*|сайта|али\w*|системы|приложени\w*)"
        r"|в обход (?:[^ .]+ )?(?:платформ\w*|площадк\w*|системы|сайта|али\w*|арбитраж\w*)"
        r"|минуя (?:[^ .]+ )?(?:платформ\w*|площадк\w*|систем\w*|али\w*|арбитраж\w*)"
        r"|без (?:участия )?(?:алиэкспресс\w*|али\w*|платформ\w*|площадк\w*|арбитраж\w*)|без спора"
        r"|спор не нуж\w*|между нами|между собой|другим способом"
        r"|\b(?:решим|решить|договоримся|договориться|разберемся)(?: [^ .]+){0,2}? (?:сами|напрямую)\b)",
    ),
    _default(
        "refund-directly",
        "any",
        'The seller pays the buyer himself ("refund you directly", "from me personally", '
        '"верну деньги напрямую", "вернём лично", "деньги от нас").',
        r"<UNLESS_WARNED>(?:\b(?:refund|pay|send|return|give|transfer|compensat\w*|money)\w*"
        r"(?: [^ .]+){0,4}? "
        r"(?:directly|personally|myself|by myself|from me|from us|privately)\b"
        r"(?! (?:through|via|by|in|on) (?:the )?(?:platform|aliexpress|dispute|system|order))"
        r"|\b<MONEY_VERB_RU>\b(?: [^ .]+){0,4}? (?:напрямую|лично|сам|сама|сами)\b"
        r"|\b(?:деньги|возврат|компенсац\w*)(?: [^ .]+){0,2}? (?:напрямую|от (?:нас|меня))\b"
        r"|\bот (?:нас|меня) (?:[^ .]+ ){0,2}?деньги)",
    ),
]
