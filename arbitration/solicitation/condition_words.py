"""Named pieces of the default patterns for the circumstances of an ask (R-DSP-8, rounds 23 and
24): where a contact is left outside the chat, who a made-up rule rewards, a benefit that is never
the platform's own refund. Part of ``fragments.FRAGMENTS``, expanded the same way.
"""

from __future__ import annotations

CONDITION_WORDS = {
    # Round 24: a benefit that is never the platform's own refund or a new tracking number.
    "STRONG_BENEFIT_EN": (
        r"(?:gift|bonus|discount|coupon|present|surprise|extra|free|compensat\w*|resend|(?:i|we)(?: ll"
        r"| will)?"
        r" (?:send|ship|add|put|give|refund)|(?:the )?missing (?:part|item|piece)s?"
        # Round 25: money promised outside the refund ("your money I return separately").
        r"|separately|personally|from my (?:own )?pocket|send (?:it |one |a new one )?again)\b"
    ),
    "STRONG_BENEFIT_RU": (
        r"(?:подар\w*|бонус\w*|скидк\w*|купон\w*|сюрприз\w*|бесплатн\w*|компенс\w*|досл\w*|дошл(?:ю|ем)"
        r"|вышл(?:ю|ем)|кладу|положу|переведу|скину|недостающ\w*"
        # Round 25: sent again, money "отдельно" ("подтвердите получение, … я отправлю повторно").
        r"|отдельно\b|повторно\b|заново|лично\b|доложу|доложим)"
    ),
    # Round 23: the buyers who close, as a made-up rule's beneficiaries.
    "CLOSING_VERB_EN": r"(?:close|closing|cancel|withdraw|remove|drop|retract|end)",
    "WHO_CLOSES_RU": (
        r"(?:кто|которые|который|которая) (?:[^ .]+ )?(?:закрыва|закро|закрыл|отзыва|отзов|отозвал|отменя"
        r"|отмен|сним|снял|убира|убер|убрал)\w* (?:[^ .]+ )?<DISPUTE_RU>"
    ),
    # Round 23: where a contact is left outside the chat (a parcel, its packaging, a photo).
    "OUTSIDE_CHAT_EN": (
        r"(?:photo|picture|pic|image|parcel|package|box|note|card|invoice|label|packaging|leaflet|flyer"
        r"|insert|sticker)s?\b"
    ),
    "OUTSIDE_CHAT_RU": (
        r"(?:фото\w*|картинк\w*|снимк\w*|посылк\w*|упаковк\w*|коробк\w*|записк\w*|вкладыш\w*|открытк\w*"
        r"|визитк\w*|наклейк\w*|этикетк\w*)"
    ),
}
