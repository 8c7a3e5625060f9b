"""Exempt scopes for a channel named on goods rather than offered as a way to talk or pay
(R-DSP-8): the goods aggregate of the exempt patterns, assembled into the default set by
``patterns``.
"""

from __future__ import annotations

from arbitration.solicitation.fragments import default_pattern
from arbitration.solicitation.intents import Intent

# Round 9: a messenger as where the goods work or fail, or what runs on them ("does the watch run
# Telegram?", "микрофон не работает в Дискорде"); assembled right after the rest of round 9's scopes.
ROUND9_GOODS_EXEMPT = [
    default_pattern(
        "channel-where-goods-work",
        "any",
        Intent.EXEMPT,
        "A messenger as where the goods work or fail, or what runs on them: "
        '"does the watch run Telegram?", "the mic cuts out in Discord", "на часах работает Телеграм?", '
        '"микрофон не работает в Дискорде".',
        r"\b(?:phones?|watch|watches|tablets?|laptops?|headsets?|headphones|earbuds|mics?|microphones?"
        r"|cameras?|speakers?|sound|audio|video|screen|it|they)(?: [^ .]+){0,2}? (?:not )?"
        r"(?:works?|working|run|runs|running|fails?|crash\w*|lags?|lagging|cuts? out|drops?)(?: [^ .]+)?"
        r" (?:in|on|with) <MESSENGER_LIST><NO_ASK_AFTER>",
        r"(?:^|\. |\b(?:ли|а|и|но) )(?:(?:на|в|во) (?:[^ .]+ ){0,2}?)?(?:[^ .]+ ){0,2}?(?:не )?"
        r"(?:работа(?:ет|ют|л|ла|ло|ли)"
        r"|запуска(?:ет|ется|ются)|тормоз(?:ит|ят)|вылета(?:ет|ют)|глюч(?:ит|ат)|пропада(?:ет|ют)"
        r"|отключа(?:ется|ются)|слышно)(?: ли)?(?: (?:нормально|плохо|хорошо|норм|вообще|тоже))?"
        r"(?: (?:в|во|с|со|на))?(?: [^ .]+){0,2}? <MESSENGER_LIST><NO_ASK_AFTER>",
    ),
]

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
