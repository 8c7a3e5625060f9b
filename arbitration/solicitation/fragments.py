"""Named pieces of the default patterns ("<NAME>"), expanded by ``expand``.

Every pattern is matched on normalised text (see ``normalize``): lower case, one space between
words, ". " between sentences, no other punctuation. ``[^ .]+`` is one word; windows use
``[^.]`` to stay inside a sentence and ``.{0,N}`` where an offer often sits in the next one.
Russian fragments are also tried on the transliteration of Latin words, which loses soft signs
("skinte" reads "скинте"): Russian words allow a missing "ь".
"""

from __future__ import annotations

import re

from arbitration.solicitation.condition_words import CONDITION_WORDS
from arbitration.solicitation.contact_words import CONTACT_IN_WORDS

FRAGMENTS = {
    # The rest of this word and up to 14 more, across a sentence end: "close it. gift for you".
    "GAP": r"(?:[^ ]* ){0,14}?",
    # --- Negation right before the verb: "do not close the dispute", "не закрывайте спор" ---
    "NOT_BEFORE_EN": (
        r"(?<!not )(?<! t )(?<!dont )(?<!never )(?<!cannot )(?<!no need to )(?<!not to )(?<!t want to )"
        # Round 25: a promise not to ask ("we will not ask you to remove it").
        r"(?<!not ask you to )(?<!never ask you to )(?<! t ask you to )"
    ),
    "NOT_BEFORE_RU": (
        r"(?<!не )(?<!нельзя )(?<!не можем )(?<!не могу )(?<!не может )(?<!не нужно )(?<!не надо )"
        r"(?<!не стоит )(?<!не буду )(?<!не будем )(?<!не просим )"
    ),
    # --- Closing the dispute -----------------------------------------------------------------
    "CLOSE_EN": (
        r"(?:close|clos|closing|cancel+|cancle|cansel|cancel+ing|withdraw\w*|revoke|retract\w*|end|finish"
        r"|stop|drop|remove|delete|terminate|abandon|take back|call off|pull|pulling|pull back"
        r"|give up(?: on)?"
        r"|forget(?: about)?|get rid of|take down|undo|rescind|retire|squash|quash|annul|nullify|void|ditch"
        r"|kill|wrap up|close out)"
    ),
    "DET_EN": r"(?: (?:the|this|that|your|ur|my|our|a|an|open|opened|current|whole|these|those))*<ADJ_EN>",
    # What sellers put before the dispute word: "remove the negative claim", "drop your pending case".
    "ADJ_EN": (
        r"(?: (?:negative|pending|active|entire|little|old|last|existing|refund|return|bad|recent|first|silly"
        r"|unnecessary|unfair|formal|official))?"
    ),
    "DISPUTE_EN": (
        r"(?:disput\w*|dispiut\w*|claims?|case|complaints?|(?:refund|return) request|report|спор\w*|диспут\w*"
        # Round 22: "cancel the request for refund" (round 21 missed it).
        r"|what you (?:filed|opened|reported|wrote)|request for (?:a )?(?:refund|return))"
    ),
    "CLOSE_DISPUTE_EN": (
        r"<NOT_BEFORE_EN>\b(?:<CLOSE_EN><DET_EN> <DISPUTE_EN>\b|(?:take|pull|bring"
        r"|get)<DET_EN> <DISPUTE_EN> (?:back|down|off)\b"
        r"|make<DET_EN> <DISPUTE_EN> (?:disappear|go away|vanish)|put<DET_EN> <DISPUTE_EN> to (?:rest|bed))"
    ),
    # A closing verb with no object: "pls close, will send 20$", "you cancel, i send 2 more".
    "CLOSE_BARE_EN": (
        r"(?:^|\. |\b(?:pls|plz|please|pleas|kindly|just|you|u|so|now) )"
        r"(?:close|cancel+|cancle|withdraw|retract|revoke|drop)(?: (?:it|this|that))?"
        r"(?: (?:pls|plz|please|now|today|asap|first|quickly|immediately|right now|right away"
        r"|on your (?:end|side)"
        r"|from your side))*"
        # Round 6: also a benefit right after ("close now, gift later").
        r"(?=$|\. | (?:and|then|u|you|i|we|will|i ll|we ll|get|new|gift\w*|bonus\w*|present\w*|free|refund\w*"
        r"|discount\w*|replacement|extra)\b| \+| [$€£]?\d| =)"  # round 18: "close = 10$" (an equation)
    ),
    # The dispute closed by the buyer, told in the passive: "once the claim is gone from my account".
    "CLOSED_BY_YOU_EN": (
        r"<DISPUTE_EN> (?:to be |is |be |get |gets |being |will be |has been )?"
        r"(?:closed|cancel+ed|withdrawn|removed|gone|dropped|deleted|finished|resolved)"
        r"(?: (?:by you|on your (?:side|end)|from your side|from (?:my|our) (?:account|store|shop|side)))"
    ),
    # The dispute ending as a condition: "once the complaint is gone", "if you agree to cancel".
    "CLOSED_COND_EN": (
        r"\b(?:if|once|when|after|as soon as|the moment) (?:the |this |your |that )?<DISPUTE_EN> (?:is |gets "
        r"|will be |has been |s )?(?:closed|cancel+ed|withdrawn|removed|gone|dropped|deleted"
        r"|taken down|over|disappear\w*|vanish\w*|go(?:es)? away"
        # Round 16: "once the claim is off my page", "as soon as the complaint is no longer open".
        r"|no longer (?:open|active|there|visible|pending)|off (?:my|the|our) (?:page|account|store|shop"
        r"|profile|record|listing)s?)\b"
        # Round 17: the condition told as a need ("first the dispute has to be removed").
        r"|\bfirst (?:the |this |your |that )?<DISPUTE_EN> (?:has to|must|needs to|should) be"
        r" (?:closed|cancel+ed"
        r"|withdrawn|removed|dropped|deleted|gone)\b"
        # Round 8: the bare participle, no dispute named ("20$ if closed", "gift once cancelled").
        r"|\b(?:if|once|when|after|as soon as) (?:it s |it is |its |it gets |gets |is )?(?:closed|cancel+ed"
        r"|withdrawn|retracted|dropped|removed)\b"
        # ... but an order cancelled in time is no dispute ("money back if cancelled before dispatch").
        r"(?! (?:before|within|in time|prior|during|at checkout|after payment|until)\b)"
        r"|\b(?:if|once|when|as soon as) (?:you|u) (?:agree|decide|are willing|re willing|are ready|re ready"
        r"|choose|want|can|could|would|will)(?: to)? (?:close|cancel+|withdraw|retract|revoke|drop|remove"
        r"|take back|call off)\b"
        # A bare closing verb as the condition: "if you withdraw, a gift card is yours".
        r"|\b(?:if|once|when|after|as soon as|the moment) (?:you|u) (?:close|cancel+|withdraw|retract|revoke"
        r"|rescind|drop|pull|undo)(?: (?:it|this|that))?(?=$|\. | (?:a|an|and|then|i|we|you|u|get)\b"
        r"| [$€£]?\d)"
        # Round 6: the moment named ("the same day you withdraw the request") and the bare outcome
        # at a sentence start ("dispute off = new case in the mail", "claim gone, gift sent").
        r"|\b(?:if|once|when|after|as soon as|the (?:same |very )?(?:day|moment|minute|second|hour|instant))"
        r" (?:you|u) (?:close|cancel+|withdraw|retract|revoke|rescind|drop|pull|undo|remove)<DET_EN>"
        r" (?:<DISPUTE_EN>|request|it|this)\b"
        r"|(?:^|\. )(?:the |your |this )?<DISPUTE_EN> (?:off|gone|closed|cancel+ed|withdrawn|dropped|removed)"
        r"(?= (?:and |then |i |we |you |u |for )?(?:[^ .]+ ){0,3}?<BENEFIT_EN>)"
    ),
    # Asking the buyer to tell the platform the problem is solved: a request to close in other words.
    "SAY_SOLVED_EN": (
        r"\b(?:tell|inform|write to|notify|report to|let|confirm to|confirm with|say to)(?: [^ .]+){0,2}?"
        r" (?:site"
        r"|platform|support|arbiter"
        r"|arbitration|aliexpress|system|marketplace|admins?"
        r"|moderators?)\b(?: [^ .]+){0,6}? (?<!not )(?<!never )(?<! t )(?:solved|resolved"
        r"|fixed|sorted|settled|received|fine|ok|okay|satisfied|happy|pleased|content|all good"
        r"|(?:have |has )?no (?:more |further |other )?(?:complaints?|problems?|issues?|claims?)"
        # Round 6: telling the platform a deal was made ("tell support we reached an agreement").
        r"|agreed|(?:reached|came to|have|made) (?:an agreement|a deal)|worked it out"
        # Round 22: telling the platform the goods came ("tell support the parcel arrived, all fine").
        r"|arrived|delivered|got (?:it|the (?:parcel|package|item|order|goods)))\b"
        r"|\b(?:say|write|confirm|state|click|mark)(?: [^ .]+){0,3}? (?:that )?(?:the "
        r"|your )?(?:problem|issue"
        r"|everything|matter|question|claim|dispute|complaint|case) (?:is|was|has been|s) (?:now )?(?:solved"
        r"|resolved|settled|sorted)\b"
        # Round 16: pressing or confirming the outcome on the site ("press the button saying your issue
        # has been resolved", "click 'satisfied with the outcome'", "confirm that we reached an agreement").
        r"|<NOT_BEFORE_EN>\b(?:press|click|tap|hit|select|choose|pick|mark|confirm|tick|answer|reply)(?:ing)?"
        r"(?: [^ .]+){0,8}? "
        r"(?:resolved|solved|sorted|settled|satisfied|(?:reached|came to|made|have)"
        r" (?:an agreement|a deal))\b"
    ),
    "SAY_SOLVED_RU": (
        r"\b(?:отпишитесь|напишите|ответьте|подтвердите|укажите|сообщите|скажите|нажмите|отметьте)"
        r"(?: [^ .]+){0,5}? (?:что )?(?:вопрос|проблема|проблему|все|претензия|спор|конфликт|ситуация)"
        r"(?: (?!не\b)[^ .]+)? (?:решен\w*|улажен\w*|урегулирован\w*|снят\w*|исчерпан\w*|закрыт\w*|решили)\b"
        # Telling the platform all is well: "сообщите поддержке, что претензий больше нет".
        r"|\b(?:отпишитесь|напишите|ответьте|подтвердите|сообщите|скажите)(?: [^ .]+){0,2}? (?:площадке"
        r"|платформе|поддержке|в поддержку|арбитру|в арбитраж|администрации|модератору|системе|на сайте"
        r"|сайту|в споре|в заявке)\b"
        r"(?: [^ .]+){0,6}? (?:(?<!не )(?:получен\w*|в порядке|довольн\w*|устраивает|решен\w*|улажен\w*"
        # Round 22: "напишите в поддержку, что посылка дошла и всё ок".
        r"|договорил\w*|пришли к соглашению|дош[её]?л\w*|пришл[аои]?\b"
        r"|вс[её] (?:ок|хорошо|нормально|отлично))"
        r"|(?:претензий|жалоб|проблем|вопросов) (?:больше |уже |к [^ .]+ )?нет|нет (?:претензий|жалоб"
        r"|проблем)|(?:претензий|жалоб) (?:[^ .]+ ){0,3}?не име\w*"
        r"|не име\w* (?:[^ .]+ )?(?:претензий|жалоб))\b"
    ),
    "CLOSE_RU": (
        r"(?:закройте|закрой|закрыть|закрывайте|закрывай|отмените|отмени|отменить|отменяйте|отменяй|отзовите"
        r"|отзови|отозвать|отзывайте|снимите|сними|снять|снимайте|завершите|заверши|завершить|аннулируйте"
        r"|аннулируй|аннулировать"
        # Round 15: a politeness word inside the verb ("откажитесь, пожалуйста, от спора").
        r"|откажитесь(?: (?:пожалуйста|плиз|плз|пжл\w*|пж))? от"
        r"|отказаться(?: (?:пожалуйста|плиз|плз|пжл\w*|пж))? от"
        r"|уберите|убери|убрать|заберите|забери|забрать"
        r"|откатите|откатить|удалите|удали|удалить|прекратите|прекратить|сверните|сворачивайте|свернуть"
        r"|погасите|гасите|погасить|прикройте|закругляйте|остановите|останови|остановить)"
    ),
    "CLOSE_RU_YOU": (
        r"(?:закроете|закроешь?|закрыли|закрыла|закрываете|отмените|отменяете|отменили|отзовете|отзываете"
        r"|отозвали|снимете|снимаете|отзовешь?|аннулируете|уберете|уберешь?|убрали|заберете"
        r"|откажетесь(?: (?:пожалуйста|плиз|плз|пжл\w*|пж))? от"
        r"|удалите|удалишь?|закрываем|закроем|отменяем|отменим|снимаем|снимем|отзываем|отзовем|свернете"
        r"|погасите|свернем|сворачиваем)"
    ),
    # Round 22: "запрос на возврат" too ("Отмените, пожалуйста, запрос на возврат средств").
    "DISPUTE_RU": r"(?:спор\w*|диспут\w*|претензи\w*|жалоб\w*|(?:заявк|запрос)\w* на возврат|обращени\w*)",
    "CLOSE_DISPUTE_RU": (
        r"<NOT_BEFORE_RU>\b(?:<CLOSE_RU>|<CLOSE_RU_YOU>) (?:[^ .]+ ){0,2}?<DISPUTE_RU>"
        r"|\b<DISPUTE_RU> (?:[^ .]+ ){0,4}?<NOT_BEFORE_RU>(?:<CLOSE_RU>|<CLOSE_RU_YOU>)\b"
    ),
    "CLOSE_BARE_RU": (
        # Round 24: also after "и" ("подтвердите получение и закройте пожалуйста").
        r"(?:^|\. |\b(?:пожалуйста|плиз|плз|просто|только|вы|ты|если|когда|как только|чтобы|чтоб|ну|давай"
        r"|давайте|и) )"
        r"(?:<CLOSE_RU>|<CLOSE_RU_YOU>)"
        r"(?: (?:пожалуйста|плиз|плз|пжл\w*|пж|его|ее|это|уже|сегодня|сейчас|скорее|побыстрее|сначала"
        r"|у себя|давай|давайте))*"
        r"(?=$|\. | =| (?:и|а|тогда|то|я|мы|сразу|тут же|вышл\w*|верн\w*|отправ\w*|подар\w*|скин\w*|нов\w*"
        r"|компенс\w*|переве\w*|перечисл\w*|заплач\w*|выплач\w*|дам|дадим|получите|пришл\w*|деньги|нам|мне)\b"
        # Round 26: a threat after "или" ("Закрывайте сейчас или ничего не получите").
        r"| или (?:[^ .]+ )?(?:ничего|я|мы|пожалеете|хуже|останетесь)\b"
        r"| \d)"
    ),
    "CLOSING_NOUN_RU": (
        r"(?:отмен[аеуы]|закрыти[еяю]|отзыв[аеу]?|сняти[еяю]|аннулировани[еяю]) (?:[^ .]+ )?<DISPUTE_RU>"
    ),
    "CLOSED_IF_RU": (
        r"(?:если|когда|как только|после того как) (?:[^ .]+ ){0,3}?(?:<DISPUTE_RU>|дело|арбитраж\w*"
        r"|разбирательств\w*) (?:[^ .]+ )?"
        r"(?:исчезнет|пропадет|уйдет|отпадет|перестанет висеть|будет закрыт\w*|закроется|отменится"
        r"|будет отменен\w*|будет снят\w*)"
        r"|(?:спора|претензии|жалобы|диспута) не будет|без спора"
        # Round 16: "нет спора — есть замена", "если сегодня закончим с этим делом".
        r"|(?:^|\. )нет (?:спора|претензии|жалобы)\b"
        r"|(?:если|когда|как только) (?:[^ .]+ ){0,2}?(?:закончим|покончим|завершим) с (?:этим |нашим )?"
        r"(?:делом|спором|претензией|жалобой)"
        # Round 8: the bare participle or noun, no dispute named ("300р если закрыто", "500 ₽ после отмены").
        r"|(?:если|когда|как только) (?:будет |уже )?(?:закрыт[оа]?|отменен[оа]?|снят[оа]?|отозван[оа]?)\b"
        r"(?! (?:до|в течение|вовремя|при оплате)\b)"
        r"|\bпосле (?:закрытия|отмены|снятия|отзыва)\b(?! (?:заказа|посылки|доставки|оплаты|платежа))"
        # Round 6: the bare outcome at a sentence start, before a benefit ("спор закрыт — вышлю новый").
        r"|(?:^|\. )<DISPUTE_RU> (?:закрыт\w*|отменен\w*|снят\w*|отозван\w*)"
        r"(?= (?:[^ .]+ ){0,3}?<BENEFIT_RU>)"
    ),
    # --- What is offered for closing --------------------------------------------------------
    "AMOUNT": (
        r"(?:\b\d+(?:[.,]\d+)? ?(?:\$|usd|dollars?|bucks|€|eur|euros?|£|₽|р\b|руб\w*|rub\w*|долл\w*|бакс\w*"
        r"|евро|грн|гривен\w*|гривн\w*|uah|₴|тенге|kzt|₸|pln|zł|злот\w*|byn|₺|lira|лир\w*)"
        r"|[$€£₽₴] ?\d+|\b\d+ ?(?:k|к|тыс\w*|тыщ\w*)\b|\bкосар\w*|\bпятихат\w*)"
    ),
    "BENEFIT_EN": (
        r"(?:gift\w*|present\w*|free\b|freebie\w*|bonus\w*|discount\w*|coupon\w*|voucher\w*|cash ?back"
        r"|reward\w*"
        r"|store credit|\d+ ?%|compensat\w*|extra\b|replacement|resend|re send|send again|ship again"
        r"|(?:new|another|second) (?:one|item|piece|pair|set)|\b(?:\d+|two|three|a few) more\b|on the house"
        r"|at no cost|double refund|throw in|money back|no charge|free of charge|for nothing"
        r"|on me\b|spare parts?"
        r"|accessor\w*|upgrade\w*|premium|surprise|\bnew\b|make it (?:up to you|worth your while)"
        r"|(?:won t|will not) regret|(?:will be|ll be) (?:very |really )?grateful|<AMOUNT>"
        # Round 9: part of the money as the price of closing ("half refund if the claim is closed").
        r"|(?:half|partial|part of the) (?:refund|money|price|payment)"
        # Round 16: the whole sum as the price ("pay back the whole amount once the case is gone").
        r"|pay (?:you )?back|(?:whole|full|entire) (?:amount|sum|price)"
        # Round 8: a better price named without the word "discount" ("special price for next order").
        r"|(?:special|better|lower|best|good|nice|discounted|reduced|vip|friendly|personal) (?:price|deal"
        r"|offer|rate)s?\b|\bcheaper\b|price cut)"
    ),
    "BENEFIT_RU": (
        r"(?:подар\w*|сюрприз\w*|бесплатн\w*|бонус\w*|скидк\w*|купон\w*|промокод\w*|сертификат\w*"
        r"|к[эе]шб[эе]к\w*"
        r"|компенс\w*"
        r"|замен[уаы]\b|нов(?:ый|ую|ое|ые)\b|ещ[её] (?:один|одну|одно|\d|штук\w*|пару|раз)|втор\w* комплект"
        r"|доп\w*"
        r"|за наш сч[её]т|досл\w*|дошл(?:ю|ем)|вышл(?:ю|ем)|пришл(?:ю|ем)|отправ(?:лю|им)|верн(?:у|ем)\b"
        r"|переведу|переведем|скину|скинем|\d+ ?%|не обиж\w*|не обидим|в долгу не остан\w*|отблагодар\w*"
        r"|не пожалеете|<AMOUNT>"
        # Round 9: part of the money as the price of closing ("половину верну, если закроете").
        r"|половин\w* (?:суммы|стоимости|денег|цены)|(?:всю|полную) сумм\w*"
        # Round 8: a better price named without the word "скидка" ("особая цена на следующий заказ").
        r"|(?:особ|спец|специальн|хорош|лучш|выгодн|персональн)\w* ?цен\w*|цен\w* (?:ниже|пониже)|дешевле)"
    ),
    # --- Channels ---------------------------------------------------------------------------
    "PAYPAL": r"(?:p[ae]y ?p[ae]l|п[еэа]й ?п[аэе]л)",
    "E_WALLETS": (
        r"qiwi|(?:на|через|по|в) киви\b|киви ?кошел\w*|кошел\w* киви|номер киви|yoo ?money|ю ?money|ю ?мани"
        r"|yandex ?money|яндекс ?деньг\w*|яндекс ?кошел\w*|web ?money|вебмани|\bwm[zr]\b|western ?union"
        r"|вестерн ?юнион|money ?gram|мани ?грам|skrill|скрилл?\b|neteller|нетеллер|payoneer|пайонир"
        r"|zelle|venmo|cash ?app|revolut|bitcoin|\bbtc\b|\busdt\b|crypto\w*|binance|биткоин\w*|крипт\w*"
        r"|tether|ethereum|\beth\b|litecoin|\bltc\b|\b(?:trc|erc) ?20\b"
        # Round 8: a bank's own transfer named by its brand ("I can e-transfer you", "by Interac").
        r"|\be ?transfer\w*|\betransfer\w*|\binterac\b"
        r"|бинанс\w*"
    ),
    "MESSENGERS": (
        # Round 22: "Vv h a t s app" (a doubled v for the w).
        r"what ?s ?app|wh?ats ?app|whatsap|vvh?ats ?app|vhats ?app|в[ао](?:тс|ц|тц|дс)ап\w*|уатсап\w*"
        r"|уотсап\w*|ватс\b|tele ?gram\w*"
        r"|тел[еэз]грам\w*|телег[аеуиой]\b|тележк\w*|\bтг\b|\btg @|(?:on|in|via|at|в) (?:tg|wa)\b"
        r"|\bt me \+?[a-z0-9_]{3,}|\bwa me \+?\d{6,}"
        r"|viber|вайбер\w*|вибер\w*|we ?chat|вичат\w*|skype|скайп\w*|вконтакте|\bвк\b|\bvk\b|instagram"
        r"|\binsta\b"
        r"|инстаграм\w*|\bинст[аыуе]?\b|facebook|фейсбук\w*|\b(?:в|на) (?:личку|лс|личные сообщения|директ)\b"
        r"|\b(?:dm|pm) me\b|private message|discord|дискорд\w*|(?:on|via|in|over|through|to|into|в|на"
        r"|по) (?:signal|сигнал[еу]?)\b"
        # Round 9: the rest of the messengers in use ("to Signal", "в ТамТам", "Wire app", "КакаоТок").
        r"|tam ?tam|тамтам\w*|\bwire (?:app|messenger)\b|(?:on|via|in|over|through|to|into) wire\b"
        r"|какао ?ток\w*|снэпчат\w*|снапчат\w*|тримм?а\b|(?:facebook|fb) messenger\b"
        r"|\b(?:wa|tg|тг|ва)\b (?:\+ ?\d|@\w|\d{7,}|\d{3,4}(?: \d{2,4}){2,})"
        r"|threema|snapchat|kakao ?talk|imessage|facetime"
        r"|\bicq\b|\bаськ\w*|\b(?:on|via|in) (?:the )?gram\b|\b(?:on|via|in) tele\b|\bon (?:snap|ig)\b"
        r"|\bsnap me\b|\big @"
        r"|\bline (?:app|id|messenger)\b|\bmax messenger|(?:в|через) макс(?:е)?\b"
        r"|\b(?:on|via|in|over|through|to|into) (?:a |an |another |other |some |my "
        r"|our )?(?:messenger|messaging app"
        r"|chat app)\b|\b(?:в|через|на) (?:[^ .]+ )?(?:мессенджер\w*|личк[уе])\b"
    ),
    "MONEY_VERB_EN": r"(?:send|sent|refund|transfer|pay|return|give|compensate|wire|put|add)",
    "CHANNEL_EN": (
        r"(?:<PAYPAL>|<E_WALLETS>|<BANK_APPS>|wise|we ?chat|(?:bank |credit |debit |visa "
        r"|master ?card )?card\b"
        r"(?! reader| with (?:a |the |your )?(?:message|note|greeting|wish|text)\w*)"
        r"|bank account|bank transfer|account number|e ?wallet|wallet|iban)"
    ),
    "MONEY_VERB_RU": (
        r"(?:верну|вернем|возвращу|возвратим|переведу|переведем|отправлю|отправим|вышлю|вышлем"
        r"|скину|скинем|кину|кинем|перечислю|оплачу|оплатим|доплачу|доплатим"
        r"|предлагаю|предлагаем|перечислим|компенсирую|компенсируем|заплачу|заплатим|выплачу|выплатим|пришлю"
        r"|пришлем|возмещу|возместим|(?:могу|можем|готов\w*|хочу|хотим) (?:\S+ ){0,5}?(?:вернуть|перевести"
        r"|отправить|выслать|скинуть|перечислить|компенсировать|выплатить|заплатить|возместить))"
    ),
    "CHANNEL_RU": (
        r"(?:карт(?:у|е|ы|очку)\b|кошел\w*|кошельк\w*|<PAYPAL>|<E_WALLETS>|киви|сбер\w*"
        r"|тинькофф\w*|тиньков\w*|tinkoff|т банк\w*|\bсбп\b|быстрых платежей|телефон\b|счет\b|<BANK_APPS>)"
    ),
    "STRONG_CHANNEL_RU": (
        r"(?:сбер\w*|тинькофф\w*|тиньков\w*|киви|юмани|ю ?money|<PAYPAL>|\bсбп\b|<BANK_APPS>)"
    ),
    # Banks and payment apps also used at checkout: named with an offer to send money, not alone.
    "BANK_APPS": (
        r"(?:apple ?pay|google ?pay|\bgpay|samsung ?pay|alipay|payeer|advcash|perfect ?money|monobank"
        r"|моно ?банк\w*"
        r"|kaspi|каспи\w*|halyk|халык\w*|альф[аеуы]\b|альфа ?банк\w*|\bвтб\b|райф\w*|приватбанк\w*|приват\b"
        r"|озон ?банк\w*)"
    ),
    # "… to your card through the platform" names the platform's own refund route: not an offer.
    "NOT_IN_PLATFORM": (
        r"(?!(?: \S+){0,3} (?:through|via|by|in|on|через|на|в) (?:the )?(?:platform|aliexpress|marketplace"
        r"|dispute|system|order|площадк\w*|платформ\w*|спор\w*|систем\w*|заказ\w*))"
    ),
    # A phone number offered: international (+44 7700 900123), Russian mobile (8 916 …), UK mobile (07911 …).
    "PHONE": r"(?<![\w+])\+ ?\d(?: ?\d){9,13}\b|\b8 ?9\d\d(?: ?\d){7}\b|\b07\d\d\d ?\d{6}\b",
    # Anchored at a token start: an unanchored [\w.+-]+@ backtracks quadratically on a long word.
    "EMAIL_ADDRESS": r"(?<![\w.+-])[\w.+-]+@[\w-]+\.[a-z]{2,}",
    "ASK_EN": (
        r"\b(?:give|send|tell|write|share|provide|leave|text|drop)(?: me| us)? (?:your|ur) (?:\S+ ){0,2}?"
        r"|\bwhat (?:s|is) (?:your|ur) (?:\S+ )?"
    ),
    "ASK_RU": (
        r"\b(?:скиньте|скинте|скинь|дайте|дай|пришлите|пришли|напишите|отправьте|подскажите|сообщите|оставьте"
        r"|укажите)"
    ),
    # --- What an exempt sentence refuses or warns about ---------------------------------------
    # The scope of a refusal: the rest of its clause, up to a word that starts a new one ("we can't
    # use PayPal outside the site" covers "outside the site"; "…, but write me on WhatsApp" is not).
    # Words between a refusal and what it refuses: any, but not a conjunction that turns the
    # sentence ("we don't do that, but write me on telegram").
    # Nor, since round 5, an imperative that turns to a contact ("we won't wait, write me on WhatsApp").
    "IN_CLAUSE_EN": (
        r"(?: (?!(?:but|however|instead|rather|although|though|yet|unless|except)\b)"
        r"(?!(?<!\bto )(?:write|text|message|ping|dm|contact|add)\b)[^ .]+)"
    ),
    "IN_CLAUSE_RU": (
        r"(?: (?!(?:но|однако|зато|лучше|давайте|а вот|скинь|напиши|пиши|дай|пришли|отправь)\b)"
        r"(?![^ .]*(?:ите|йте|ьте)\b)[^ .]+)"
    ),
    "REST_OF_CLAUSE_EN": (
        r"(?: (?!(?:but|however|instead|rather|although|though|yet|unless|except|i|we|let s|lets|please|just"
        r"|only|write|text|message|add|contact|send|call)\b)[^ .]+)*"
    ),
    "REST_OF_CLAUSE_RU": (
        r"(?: (?!(?:но|однако|зато|лучше|давайте|только|просто|пишите|напишите|добавьте|свяжитесь|я|мы|вы)\b)"
        r"[^ .]+)*"
    ),
    # "… only here": the channel named is refused for this chat ("no Telegram support, only this chat").
    "ONLY_HERE_EN": (
        r"(?:only|just)(?: (?:use|write|talk|answer|reply|chat|communicate|message|reachable))?(?: (?:in|on"
        r"|via))?"
        r" (?:here|this chat|in this chat|on this (?:site|platform|chat)"
        r"|through (?:the )?(?:site"
        r"|platform|dispute))\b"
    ),
    "ONLY_HERE_RU": (
        r"(?:только|лишь) (?:здесь|тут|в этом чате|в чате|через сайт|через площадку|на сайте|на площадке"
        r"|в переписке здесь)\b"
    ),
    "TARGET_EN": (
        r"(?:<CHANNEL_EN>|<MESSENGERS>|<CLOSE_EN><DET_EN> <DISPUTE_EN>|e ?mail|phone|number|outside\w*"
        r"|directly|privately|between us|(?:an)?other way|off the platform|on the side|personally)\w*"
    ),
    "TARGET_RU": (
        r"(?:<CHANNEL_RU>|<MESSENGERS>|(?:<CLOSE_RU>|<CLOSE_RU_YOU>)(?: [^ .]+)? <DISPUTE_RU>"
        r"|<CLOSING_NOUN_RU>"
        r"|почт\w*|напрямую|вне площадки|мессенджер\w*|данны\w* карты|между нами(?! говоря)|между собой"
        r"|лично|по тихому"
        r"|в обход(?: [^ .]+)?|без (?:площадки|платформы|арбитража)|<NOT_THROUGH_PLATFORM_RU>)"
    ),
    # --- Round 3: contacts written in words, the arbiter left out --------------------------------
    **CONTACT_IN_WORDS,
    # --- Rounds 23 and 24: where a contact is left, who a made-up rule rewards -----------------------
    **CONDITION_WORDS,
    # The platform's own people or process named as what to leave out.
    "MEDIATOR_EN": (
        r"(?:arbiter|arbitrator|arbitration|mediator|moderator|moderation|third party|middleman|middle man"
        r"|staff|admins?|platform|marketplace|site|aliexpress|ali|dispute)"
    ),
    "MEDIATOR_RU": r"(?:посредник\w*|модератор\w*|арбитр\w*|трет\w* лиц\w*|администрац\w*)",
    # "не через сайт, а на карту", "с глазу на глаз, а не через площадку".
    "NOT_THROUGH_PLATFORM_RU": (
        r"\bне через (?:[^ .]+ )?(?:площадк\w*|сайт\w*|платформ\w*|арбитр\w*|поддержк\w*|али\w*|систем\w*)\b"
    ),
    # Keeping the arbiter out: "don't tell the arbiter", "не пишите арбитру".
    "KEEP_OUT_EN": (
        r"\b(?:don t|do not|dont|no need to|never"
        # Round 18: "let's not bother support", "keep the platform out of it".
        r"|let s not|lets not|let us not) (?:tell|inform|mention (?:it|this) to|write to|involve"
        r"|bother"
        r"|report (?:it |this )?to|notify|contact|complain to)(?: [^ .]+)? (?:the )?"
        r"(?:<MEDIATOR_EN>|support)\b"
        r"|\b(?:keep|leave) (?:the )?(?:<MEDIATOR_EN>|support) out of (?:it|this|that)\b"
    ),
    "KEEP_OUT_RU": (
        r"\bне (?:пишите|говорите|сообщайте|жалуйтесь|обращайтесь|рассказывайте|пиши|говори|жалуйся)"
        r"(?: [^ .]+)? (?:арбитр\w*|модератор\w*|администрац\w*|в поддержку|поддержке|площадке|в арбитраж)"
    ),
    # --- Round 5: devices, first-person refusals, closing by the writer --------------------------
    # What a device or app does with a messenger: "reads out", "shows notifications from", "runs".
    "DEVICE_VERB_EN": (
        r"(?:reads?(?: out| aloud)?|read (?:out|aloud)|announces?|displays?|shows|mirrors?|runs|can run"
        r"|supports|pairs? with|works(?: fine| well| perfectly| great)? (?:with|in|on)|compatible with"
        r"|certified for|syncs? with|integrates? with|opens|streams"
        r"|launches|vibrates (?:on|for)|rings (?:on|for)|beeps (?:on|for)|notif\w*|alerts?|pre ?installed"
        r"|built in|comes with|(?:can t|cannot|can not|doesn t|does not|won t|will not) (?:open|run|install"
        r"|support|show|display|read)"
        # Round 6: keys and buttons on the goods, what the goods are made or certified for.
        r"|(?:(?:shortcut|hot|dedicated|quick|one touch|mute|call) )?(?:keys?|buttons?|shortcuts?) for"
        r"|(?:great|good|ideal|perfect|made|designed|optimi[sz]ed|tested|approved|qualified) for)"
    ),
    "DEVICE_VERB_RU": (
        r"(?:читает|зачитывает|озвучивает|показывает|отображает|выводит|поддерживает|работает со?|тянет"
        r"|запускает|открывает|вибрирует на|пищит на|совместим\w* со?|синхронизир\w* со?|предустановлен\w*"
        r"|(?:клавиш\w*|кнопк\w*) (?:для|вызова)"
        r"|(?:для|под) (?:звонков|видеозвонков|конференций) (?:в|во|через)"
        r"|умеет|уведомлени\w*|оповещени\w*)"
    ),
    # Round 9: no ask to write or move there later in the sentence ("… works on WhatsApp, text me").
    "NO_ASK_AFTER": (
        r"(?![^.]*\b(?:text|write|message|contact|call|add|dm|reach|move|switch|пиши\w*|напиш\w*|добав\w*"
        r"|звони\w*|позвон\w*|свяж\w*|переход\w*|перейд\w*|стучите|жду)\b)"
    ),
    "MESSENGER_LIST": (
        r"(?:<MESSENGERS>|<CALL_APPS>)(?:(?: (?:and|or|but|not|nor|also|и|или|но|не|а|также))*"
        r" (?:<MESSENGERS>|<CALL_APPS>))*"
    ),
    # Round 6: video-call apps named with goods ("certified for Zoom and Microsoft Teams"); only in
    # exempt scopes, as a camera's "zoom" and "teams" of people are no channel.
    # Round 18: a channel as a name on goods (stickers, logos, novelty mugs; exempt scopes only).
    "DECOR_CHANNEL": r"(?:<MESSENGERS>|<PAYPAL>|<E_WALLETS>|<BANK_APPS>|<CALL_APPS>|сбер\w*|тинькофф\w*)",
    "CALL_APPS": r"(?:\bzoom\b|\bзум\w*|(?:microsoft |ms )?\bteams\b|google meet|\bwebex\b|facetime|skype)",
    # Words between a first-person refusal and what it refuses: not a turn to an offer.
    "IN_REFUSAL_EN": (
        r"(?: (?!(?:but|however|instead|rather|although|though|yet|unless|except|let s|lets|just|please|so"
        r"|here s|my)\b)<NOT_IMPERATIVE_EN>[^ .]+)"
    ),
    "IN_REFUSAL_RU": (
        r"(?: (?!(?:но|однако|зато|лучше|давайте|скинь|напиши|пиши|дай|пришли|отправь|так что|поэтому|мой|моя"
        r"|<MONEY_VERB_RU>)\b)<NOT_IMPERATIVE_RU>[^ .]+)"
    ),
    # Not an order to the reader (which turns a refusal into an ask: "I'm not arguing, close it"):
    # a bare verb not after "to"/"not", a Russian imperative ("закройте", "пишите", "скиньте").
    "NOT_IMPERATIVE_EN": (
        r"(?!(?<!\bto )(?<!\bnot )(?<!\bt )(?:write|text|message|add|contact|call|ping|dm|hit|reach|find|join"
        r"|send|give|tell|share|close|cancel|withdraw|drop|remove|leave|pay|transfer|email|take|pull|retract"
        r"|revoke|end|stop)\b)"
    ),
    "NOT_IMPERATIVE_RU": r"(?![^ .]*(?:ите|йте|ьте)\b)",
    # The writer's own closing, first person singular: "закрою", "закрываю", "отзову".
    # --- Round 8 -------------------------------------------------------------------------------
    # Determiners of the writer's own dispute (no "your": "closing your case now gets a gift" asks).
    "DET_OWN_EN": r"(?: (?:the|this|that|my|our|own|open|opened|current|whole))*<ADJ_EN>",
    # A channel the other side is told to pay into ("to my card", "на сбер"); cards and phones only
    # with "my"/"на", as paying by card at checkout is the platform's own route.
    "PAY_INTO_RU": (
        r"(?:карт(?:у|е|очку)\b|кошел\w*|кошельк\w*|<PAYPAL>|<E_WALLETS>|киви|сбер\w*|тинькофф\w*|тиньков\w*"
        r"|tinkoff|т банк\w*|\bсбп\b|номер телефона|телефон\b|<BANK_APPS>)"
    ),
    "PAY_ASK_RU": (
        r"(?:оплатите|оплати|заплатите|заплати|переведите|переведи|перечислите|перечисли|доплатите|доплати"
        r"|внесите|закиньте|закинь)"
    ),
    "SEND_ASK_RU": r"(?:скиньте|скинь|киньте|кинь|отправьте|отправь|пришлите|пришли|вышлите|вышли)",
    "MONEY_WORD_RU": r"(?:деньг\w*|оплат\w*|сумм\w*|доплат\w*|предоплат\w*|\d+\w*|<AMOUNT>)",
    # A messenger's calls or chat as what goods are used for ("work ok for WhatsApp calls").
    "GOODS_WORD_EN": (
        r"(?:work\w*|sound\w*|quality|mic|mics|microphone\w*|cut\w* out|drop\w* out|echo\w*|noise\w*"
        r"|lag\w*|connect\w*|pair\w*|volume|earbuds|earphones|headphones|headset|camera|webcam|speaker\w*)"
    ),
    "CALLS_EN": r"(?:(?:video|voice|group|audio) )?(?:calls?|chats?|meetings?|conferences?)",
    "GOODS_WORD_RU": (
        r"(?:работа\w*|слышн\w*|звук\w*|микрофон\w*|качеств\w*|прерыва\w*|пропада\w*|подключа\w*|подойд\w*"
        r"|подходит|годится|шум\w*|эхо|наушник\w*|гарнитур\w*|камер\w*|связь)"
    ),
    "CALLS_RU": r"(?:видео ?звонк\w*|звонк\w*|разговор\w*|созвон\w*|конференци\w*|чат\w*)",
    "CLOSE_RU_ME": (
        r"(?:закрою|закрываю|отзову|отзываю|отменю|отменяю|сниму|снимаю|уберу|убираю|удалю|удаляю|завершу"
        r"|завершаю)"
    ),
}


def default_pattern(
    name: str, language: str, intent: str, description: str, *alternatives: str
) -> dict[str, str]:
    """One default pattern: its alternatives joined with "|" and its fragments expanded."""
    return {
        "name": name,
        "language": language,
        "intent": str(intent),
        "description": description,
        "pattern": expand("|".join(alternatives)),
    }


def expand(pattern: str) -> str:
    while (expanded := re.sub(r"<([A-Z_]+)>", lambda m: FRAGMENTS[m[1]], pattern)) != pattern:
        pattern = expanded
    return pattern
