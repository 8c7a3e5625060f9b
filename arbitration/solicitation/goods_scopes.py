"""Exempt scopes for a channel named on goods rather than offered as a way to talk or pay
(R-DSP-8): the goods aggregate of the exempt patterns, assembled into the default set by
``patterns``.
"""

from __future__ import annotations

from arbitration.solicitation.fragments import default_pattern
from arbitration.solicitation.intents import Intent

# Round 18: goods decorated with a channel's name or logo, as round 17 wrongly flagged them ("this
# sticker pack includes WhatsApp, PayPal and Discord icons", "the 'Cash App' novelty mug", "в
# наборе наклеек есть лого вайбер, скайп и вк").
ROUND18_EXEMPT = [
    default_pattern(
        "channel-as-decoration",
        "any",
        Intent.EXEMPT,
        "A channel's name or logo on goods, not a way to talk or pay: "
        '"the sticker pack includes WhatsApp and PayPal icons", "Cash App novelty mug", '
        '"в наборе наклеек есть лого вайбер и вк", "значки Ватсапа и Сбера".',
        r"\b(?:stickers?|sticker (?:pack|set|sheet)s?|icons?|logos?|decals?|emojis?|badges?|patch(?:es)?"
        r"|pins?|magnets?|prints?)\b(?: (?:of|with|for|featuring|showing|includes?|including|like|such as"
        r"|from|the|a|an))* <DECOR_CHANNEL>(?: (?:and |or |nor )?<DECOR_CHANNEL>)*<NO_ASK_AFTER>",
        r"<DECOR_CHANNEL>(?: (?:and |or )?<DECOR_CHANNEL>)*(?: [^ .]+)? (?:icons?|logos?|stickers?|decals?"
        r"|emojis?|themed|novelty|print|printed|design|mugs?|t shirts?|tees?|hoodies?|keychains?|leather"
        r"|plush\w*|costume|toy)\b<NO_ASK_AFTER>",
        r"\b(?:накле[ий]?к\w*|стикер\w*|значк\w*|значок|иконк\w*|логотип\w*|лого|эмблем\w*|принт\w*"
        r"|магнит\w*)(?: (?:есть|с|со|из|типа|вроде|как|лого|логотип\w*|значк\w*|в виде))* <DECOR_CHANNEL>"
        r"(?: (?:и |или )?<DECOR_CHANNEL>)*<NO_ASK_AFTER>",
        r"<DECOR_CHANNEL>(?: (?:и |или )?<DECOR_CHANNEL>)* (?:лого\w*|значк\w*|значок|накле[ий]?к\w*"
        r"|стикер\w*|принт\w*|эмблем\w*)\b<NO_ASK_AFTER>",
    ),
]
