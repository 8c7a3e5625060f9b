"""Asks that end the case without naming its closing (R-DSP-8, round 26): parts of the default
``close`` patterns (``closing.CLOSE``), expanded like every other part (``fragments``).

Round 25's held-out sets showed sellers ending the buyer's case by every door but "close": the
buyer protection left to run out ("don't extend it, let it end"), the platform's questions left
unanswered or answered "yes", receipt confirmed while the parcel is still on its way, the refund
given up, the claim rewritten (its reason changed, its photos deleted), and pressure: guilt ("save
my job with one click"), a threat ("we know where you work"), "don't leave me with an open claim".
"""

from __future__ import annotations

# Words that tell the goods have not arrived yet, or that the ask is for the seller's money.
_NOT_YET_EN = (
    r"(?:on (?:the|its|it s) way|in transit|coming|will (?:come|arrive|be there|reach|get there)|still"
    r" (?:at|in|on)|at (?:the )?customs|not (?:yet )?(?:arrived|here|there|received|delivered)|before (?:it"
    r" arrives|you (?:get|receive))|even if|i swear|for sure|don t worry|no worries|anyway|regardless"
    r"|otherwise|stuck|frozen|my money|the funds|already)\b"
)
_NOT_YET_RU = (
    r"(?:в пути|едет|придет|дойдет|доедет|привезет|на почте|на таможне|у курьера|в пункте|еще не|не пришл?\w*"
    r"|не дожидаясь|даже если|иначе|зависн\w*|заморож\w*|гарантир\w*|обещаю|честно|слово даю|точно"
    r"|прямо сейчас)"
)
_CONFIRM_EN = (
    r"(?:confirm|press|click|tap|hit|mark|do|select|choose)(?: (?:the|your|order|it|as))*(?: [^ .]+)?"
    r" (?:receipt|received|receiving|delivery|delivered|i got it|got it|arrived|item received"
    r"|order arrived|confirm (?:receipt|delivery))\b"
    # not "confirm receipt when it arrives"
    r"(?!(?: [^ .]+){0,4}? (?:when|once|after|as soon as)\b)"
)
_CONFIRM_RU = (
    r"(?:подтвердите|подтверди|нажмите|нажми|жмите|жми|отметьте|отметь|поставьте)(?: [^ .]+){0,3}?"
    r" (?:получени\w*|доставк\w*|я получил\w*|получено|получил\w*|подтвердить получение)"
    # not "подтвердите получение, когда посылка придёт"
    r"(?!(?: [^ .]+){0,4}? (?:когда|как только|после)\b)"
)

ENDING_EN = (
    # The buyer protection left to run out ("please don't extend the protection, let it end").
    r"(?:^|\. |\b(?:please|pls|plz|just|kindly|so|and|can you|could you|you can) )(?:don t|do not|dont"
    r"|no need to|never|not) (?:extend|prolong|renew|lengthen)(?:ing)?(?: (?:the|your|buyer s|buyer|order"
    r"|this|it|anything|again))*\b",
    r"(?<!going to )<NOT_BEFORE_EN>\blet (?:the |your |buyer s |buyer |order )?(?:protection|guarantee"
    r"|timer|dispute|case|claim)"
    r"(?: (?:time|period|window|timer))? (?:run out|end|expire|lapse|finish|close|time out|pass)\b"
    r"|\blet the (?:clock|time|timer) (?:run out|end|expire|finish|pass)\b"
    r"|\bprotection\b(?: [^ ]+){0,10}? let (?:it|that) (?:run out|end|expire|lapse|finish|pass|go)\b"
    r"|\b(?:ignore|skip)(?: [^ .]+){0,2}? extend(?:ing)? (?:the )?protection\b",
    # Silence to the platform ("don't reply to the platform, it closes by itself").
    r"(?:^|\. |\b(?:please|pls|plz|just|kindly|so|and|better|you should) )(?:don t|do not|dont|never|stop)"
    r" (?:answer|reply|respond|answering|replying|responding)(?: to)?"
    r"(?: (?:the|any|them|their|its|staff s|platform s))* (?:platform|arbiter|arbitration|support|customer"
    r" service|staff|moderator|admin|aliexpress|system|dispute|case|questions?|messages)\w*\b"
    r"|\bleave (?:the )?(?:platform|arbitration|arbiter|support|staff|dispute|case)\w*(?: [^ .]+){0,4}?"
    r" (?:unanswered|unread)\b|\b(?:stay|keep) (?:quiet|silent) in the (?:dispute|case|chat)\b",
    # The platform's question answered for the seller ("when they ask 'is problem solved', click YES").
    r"\b(?:when|if|once) (?:they|support|the platform|the site|the system|the chat|chat|staff|customer"
    r" service|the arbiter|aliexpress|someone|anyone|the form)(?: [^ .]+)? (?:ask|asks|asked|message"
    r"|messages|question|questions)\b(?: [^ .]+){0,8}? (?:click|press|tap|choose|select|say|answer|reply"
    r"|put|write)(?: [^ .]+)? (?:yes|ok|okay|everything (?:is )?(?:ok|fine|good)|all (?:is )?(?:ok|good"
    r"|fine)|received|resolved|solved)\b",
    # Receipt confirmed before the parcel is there ("press received pls its on the way").
    rf"(?<!ever ask you to )<NOT_BEFORE_EN>\b{_CONFIRM_EN}(?: [^ ]+){{0,12}}? {_NOT_YET_EN}"
    rf"|(?<!when )(?<!once )(?<!if )\b{_NOT_YET_EN}(?: [^ ]+){{0,12}}? (?:please |pls |plz |just "
    rf"|but )?{_CONFIRM_EN}"
    r"|\baccept (?:the )?(?:goods|item|order|parcel|delivery) in the app\b",
    # The refund given up ("Can you not ask for refund?", "please give up the refund").
    r"(?:^|\. |\b(?:please|pls|plz|just|kindly|so|can you|could you|you can|better) )(?:not|don t|do not"
    r"|dont|stop) (?:ask|asking|insist|insisting|push|pushing|demand|demanding)(?: (?:for|on))? (?:a |the "
    r"|your |any )?(?:full )?(?:refund|money back)\b"
    r"|(?:^|\. |\b(?:please|pls|plz|just|kindly|so|can you|could you|you can|better) )(?:give up|forget"
    r"(?: about)?|waive|skip)(?: on)? (?:the |your |this |a )?(?:platform )?refund\b",
    # The claim rewritten ("change the reason to 'other' and delete the photos").
    r"(?:^|\. |\b(?:please|pls|plz|just|kindly|so|can you|could you|you can|you should|better) )(?:change"
    r"|switch|edit|modify|update)(?: [^ .]+){0,2}? (?:dispute |claim |complaint |return )?reason"
    r"\b(?: [^ .]+){0,8}? to\b"
    r"|\b(?:delete|remove|take out|take down|erase|cut)(?: [^ .]+){0,3}? (?:photos?|pictures?|pics?|videos?"
    r"|sentence|part|words?|line|text|mention|bit|evidence)\b(?: [^ .]+){0,5}? (?:from|in|of) (?:the |your"
    r" |this |my )?(?:dispute|claim|complaint|case)\b"
    r"|\b(?:take out|remove|delete|erase)(?: [^ .]+){0,2}? (?:part|sentence|line|words?|mention|bit) about\b"
    r"|(?:^|\. |\b(?:please|pls|plz|just|kindly|so|can you|could you|you can|maybe you|and) )(?:edit"
    r"|write|say"
    r"|state|put|add|note|update)(?: [^ .]+){0,5}? (?:that )?(?:the )?(?:item|problem|issue|everything"
    r"|product"
    r"|goods|order) (?:is|was|s|has been)(?: now)? (?:ok|okay|fine|good|fixed|solved|resolved|received"
    r"|all right)\b"
    r"|\b(?:move|change|switch|set|put)(?: (?:the|this|your|my))? (?:case|dispute|claim|order|complaint) to"
    r" (?:the )?(?:final|closed|resolved|completed|finished) (?:status|state)\b",
    # Pressure: guilt and threats ("you can save my job with one click", "we know where you work").
    r"\b(?:save|help|rescue)(?: [^ .]+){0,4}? (?:with )?(?:one|a single|just one) (?:click|tap)\b"
    r"|\bif (?:this |the |that |your )?(?:case|dispute|claim|complaint) (?:stays|remains|keeps going"
    r"|stays open|continues)\b"
    r"|\b(?:don t|do not|wouldn t|would not|never|won t) (?:leave|keep)(?: [^ .]+){0,4}? (?:with )?(?:an |the"
    r" |this |a )?open (?:claim|dispute|case|complaint)\b"
    r"|\b(?:we|i) know (?:your (?:address|city|home|workplace|family|name)|where you (?:live|work))\b"
    r"|\b(?:don t|do not) (?:advise|recommend) (?:you )?(?:to )?(?:continu|escalat|pursu|keep)\w*",
    # A QR code or cash by courier, away from the chat and the platform's money.
    r"\bscan (?:the |this |our |that )?qr\b(?: [^ .]+){0,12}? (?:chat|whatsapp|telegram|message|contact"
    r"|directly|me|us)\b"
    r"|(?<! t )(?<!not )(?<!or )\b(?:bring|hand|give)(?: you)?(?: [^ .]+){0,4}? (?:in )?cash\b(?! ?back)",
    # Round 26, second look (round 26's training sets): the extend button left alone, the clock
    # let run ("allow the protection period to expire"), nothing done until it closes by itself,
    # the platform ignored or answered "yes", the claim edited to pick another option.
    r"\b(?:don t|do not|dont|not|no) (?:press|click|tap|hit|touch)(?: the| that| any)? extend\w*"
    r"|(?:^|\. |\b(?:pls|plz|please) )no extend\w*"
    r"|\bextend\w* (?:the )?protection\b(?: [^ .]+){0,3}? (?:please )?ignore\b",
    r"(?<!going to )<NOT_BEFORE_EN>\b(?:let|allow)(?: the| your| buyer s| buyer| order)? (?:protection"
    r"|guarantee"
    r"|timer|countdown|window|deadline|clock|\d+ ?days?)\w*(?: [^ .]+){0,2}? (?:to )?(?:run out|end"
    r"|expire|lapse"
    r"|finish|close|time out|pass)\b",
    r"\bdo nothing\b(?: [^ .]+){0,8}? (?:timer|case|protection|dispute|claim|it|everything)\w*"
    r" (?:closes|ends|expires|will expire|will close|will end|runs out)\b",
    r"\bignore (?:the |any )?(?:mediator|arbiter|arbitration|platform|support|staff|agent|moderator)\w*"
    r"|\bno (?:answer|reply|replies|response)s? to (?:the )?(?:arbitration|arbiter|platform|support"
    r"|mediator)\w*"
    r"|\b(?:question|asks?|asked)\b(?: [^ ]+){0,12}? (?:press|click|tap|hit|choose|select|answer"
    r"|say) (?:yes|ok)\b"
    r"|\bif (?:the |they |support |the platform )?(?:calls?|emails?|contacts?|writes?"
    r"|messages?)(?: [^ .]+){0,3}?"
    r" (?:say|tell|answer|reply)(?: [^ .]+)? (?:that )?(?:the )?(?:item|goods|order|everything|it) (?:was"
    r"|is|s)"
    r" (?:fine|ok|okay|good|received)\b",
    r"\baccept (?:the )?(?:goods|item|order|parcel|delivery)(?: in| on)(?: the| your)? (?:app|order page"
    r"|order"
    r"|system)\b|\binstead of (?:asking|requesting|claiming|demanding)(?: for)?(?: the| a)? refund\b"
    r"|(?:^|\. )no refund (?:please|pls|plz)\b"
    r"|(?:^|\. |\b(?:please|pls|plz|just|kindly|so|can you|could you|dear|better) )(?:don t|do not|dont|not)"
    r" (?:request|claim|want|need)(?: (?:for|on))? (?:a |the |your |any )?(?:full )?(?:refund|money back)\b"
    r"|\b(?:kindly |please )?forgo (?:the |your )?(?:refund|money back)\b",
    r"\bedit (?:your |the )?(?:claim|dispute|complaint|case)\b(?: [^ .]+){0,2}? (?:and )?(?:pick|choose"
    r"|select"
    r"|write|say|put|change|remove|delete)\b"
    r"|\b(?:take off|delete|remove) (?:the |your |these |those |all )?(?:photos?|pictures?|pics?|videos?)\b"
    r"(?: (?:of|where|showing)\b)"
    r"|\b(?:don t|do not) (?:mention|write|say|use)(?: [^ .]+){0,3}? in the (?:dispute|claim|complaint"
    r"|case)\b"
    r"|\b(?:remove|delete) the word\b",
    r"\b(?:i|we) (?:will not|won t|don t|do not|can t|cannot)\b(?: [^ .]+){0,6}? until (?:the |this |your )?"
    r"(?:claim|dispute|case|complaint) is (?:gone|closed|withdrawn|cancel+ed|removed)\b"
    r"|\beither you (?:close|cancel|withdraw|drop|remove)\b"
    r"|(?:^|\. |\b(?:please|pls|plz|just) )let (?:this|it|that) go\b",
)

ENDING_RU = (
    # Защиту покупателя не продлевать ("не продлевайте защиту, пусть закончится").
    r"(?:^|\. |\b(?:пожалуйста|плиз|плз|просто|и|вы|можете|можно|давайте|лучше|только) )(?:не продлевайте"
    r"|не продлевай|не надо продлевать|не нужно продлевать|не стоит продлевать|не трогайте кнопку продлить)\b"
    r"|\bзащиту (?:[^ .]+ )?не продлевайте\b"
    r"|\bпусть (?:[^ .]+ ){0,2}?(?:защит\w*|срок\w*|время|таймер\w*|период\w*|дни|дней)(?: [^ .]+)?"
    r" (?:истечет|закончится|кончится|пройдет|пройдут|выйдет|дотикает|завершится)"
    r"|\b(?:дайте|дадите|позвольте) (?:ей |ему |сроку |защите |периоду защиты |времени )(?:[^ .]+ )?"
    r"(?:закончиться|истечь|пройти|выйти|завершиться)",
    # Платформе не отвечать ("не отвечайте арбитражу пару дней, пусть само закроется").
    r"\bне (?:отвечайте|отвечай|пишите|пиши) (?:[^ .]+ )?(?:арбитраж\w*|платформ\w*|поддержк\w*|модератор\w*"
    r"|администрац\w*|площадк\w*|али|в споре|в диспуте|в арбитраже|сотрудник\w*)"
    r"|\bпусть (?:он |спор |оно |все |претензия |дело )?(?:сам\w* )?(?:закроется|истечет)(?: сам\w*)?\b",
    # Ответ платформе за продавца ("когда спросят, решён ли вопрос, жмите ДА").
    r"\b(?:когда|если) (?:[^ .]+ ){0,2}?(?:спрос\w*|уточн\w*|запрос\w*|напиш\w*)(?: [^ .]+){0,8}?"
    r" (?:жмите|нажмите|нажми|жми|ответьте|ответь|скажите|скажи|выберите|пишите|напишите)(?: [^ .]+){0,2}?"
    r" (?<!не )(?:да|что (?:получен\w*|все (?:хорошо|нормально|ок))|решен\w*|все (?:хорошо|нормально|ок))\b",
    # Получение подтвердить, пока посылка в пути ("нажмите «я получил», иначе деньги зависнут").
    rf"<NOT_BEFORE_RU>\b{_CONFIRM_RU}(?: [^ ]+){{0,12}}? {_NOT_YET_RU}\b"
    rf"|(?<!когда )(?<!если )(?<!как только )\b{_NOT_YET_RU}(?: [^ ]+){{0,12}}? {_CONFIRM_RU}"
    r"|\bприм(?:ите|ете) товар в приложении\b",
    # Отказ от возврата ("не требуйте возврат", "откажитесь от возврата").
    r"(?:^|\. |\b(?:пожалуйста|просто|можете|можно|лучше|и|вы) )не (?:требуйте|просите|требуй|проси"
    r"|требовать|просить|настаивайте)(?: [^ .]+)? (?:возврат\w*|деньги|компенсац\w*|вернуть)"
    r"|(?:^|\. |\b(?:пожалуйста|просто|и|давайте|лучше) )(?:откажитесь|откажитес|откажись"
    r"|откажис) от (?:возврат|компенсаци"
    r"|денег)\w*|\bзабудьте (?:про|о) возврат\w*",
    # Претензию переписать ("поменяйте причину", "удалите фотки из спора", "допишите, что решено").
    r"\b(?:измените|поменяйте|смените|исправьте|переделайте|перепишите)(?: [^ .]+){0,2}? причин\w*"
    r"|\b(?:уберите|удалите|сотрите|вычеркните|уберите|сотри|удали|убери)(?: [^ .]+){0,5}? из (?:спора"
    r"|жалобы|претензии|заявлени\w*|диспута|обращени\w*)\b"
    r"|\b(?:уберите|удалите|сотрите|удали|убери)(?: [^ .]+){0,2}? (?:фот\w*|видео|слово|текст|строчк\w*"
    r"|предложени\w*)(?: [^ .]+){0,5}? (?:из |в )?(?:спор\w*|жалоб\w*|претензи\w*)"
    r"|\b(?:допишите|напишите|добавьте|укажите|поправьте|поправить|исправьте|исправить|отредактируйте)"
    r"(?: [^ .]+){0,4}? что (?:проблема|вопрос|все|спор|товар)(?: (?!не\b)[^ .]+)? (?:решен\w*"
    r"|урегулирован\w*"
    r"|в порядке|хорошо|нормально|получен\w*)"
    r"|\b(?:скажете|скажите|напишите|сообщите|ответьте) (?:платформе|арбитр\w*|поддержке|площадке"
    r"|администрации|модератор\w*)(?: [^ .]+){0,2}? что (?:все|проблема|вопрос|товар)(?: (?!не\b)[^ .]+)?"
    r" (?:хорошо|в порядке|нормально|ок|решен\w*|получен\w*|пришел|довольн\w*|устраивает)\b"
    r"|\b(?:отметите|отметьте|отметить|пометьте|пометите)(?: [^ .]+){0,3}? как (?:решен\w*|выполнен\w*"
    r"|закрыт\w*|получен\w*)"
    r"|\b(?:переведите|поменяйте|смените|измените) (?:[^ .]+ ){0,2}?(?:в )?статус (?:[^ .]+ )?(?:завершен\w*"
    r"|решен\w*|закрыт\w*|выполнен\w*)"
    r"|<NOT_BEFORE_RU>\b(?:выберите|согласитесь|примите|нажмите|отметьте|выбери"
    r"|соглашайтесь)(?: [^ .]+){0,3}?"
    r" (?:без (?:возврат|возмещ|компенсац)\w*|возврат не нужен|деньги не возвращать|на (?:0|ноль)"
    r" (?:руб\w*|р\b|долл\w*|гривен\w*))"
    r"|\b(?:выберите|отметьте|нажмите|поставьте|укажите|ткните|тапните|кликните|жмите|жми|нажми)"
    r"(?: [^ .]+){0,4}? (?:помощь (?:больше )?не нужна|вопрос решен|проблема решена)"
    r"|\b(?:вопрос решен|проблема решена|помощь (?:больше )?не нужна)(?: [^ .]+){0,2}? (?:нажмите|ткните"
    r"|жмите|нажми|жми)\b",
    # Давление: вина и угрозы ("спасти мою работу одним нажатием", "мы знаем ваш город").
    r"\b(?:одним|одно) (?:нажатием|кликом|нажатие|клик)\b"
    r"|\bесли (?:этот |ваш |эта |ваша )?(?:спор|жалоба|претензия) (?:останется|будет висеть|продолжится)\b"
    r"|\bне (?:оставляйте|оставляют|держите|держат|оставите|оставляй)(?: [^ .]+){0,4}? (?:с )?(?:открыт\w*"
    r" )?(?:спор|претензи|жалоб)\w*(?: открыт\w*| висеть)?"
    r"|\b(?:мы|я) (?:знаем|знаю|в курсе)(?: [^ .]+)? (?:ваш (?:город|адрес|телефон|дом)|где вы (?:живете"
    r"|работаете)|вашу (?:работу|семью))"
    r"|\bне (?:советую|советуем|рекомендую)(?: вам)? (?:продолжать|доводить|раздувать|затягивать"
    r"|эскалировать)|\bне стоит (?:раздувать|продолжать|доводить|затягивать)(?: [^ .]+)? (?:спор|претензи"
    r"|жалоб|арбитраж)\w*",
    # QR-код и наличные ("отсканируйте QR", "оплату за разницу наличкой").
    r"<NOT_BEFORE_RU>\b(?:отсканируйте|сканируйте|наведите камеру на) (?:[^ .]+ )?(?:qr|кьюар)"
    r"|\b(?:привез\w*|передам|передаст|отдам|отдаст|завез\w*|отдать"
    r"|передать)(?: [^ .]+){0,5}? (?:налич\w*|кэш\w*)\b(?! (?:[^ .]+ )?не (?:получится|можем|будем|могу))"
    r"|\bналич\w* (?:[^ .]+ )?(?:отдать|отдам|передам|передать|привез\w*|через(?! (?:площадк|платформ|сайт"
    r"|систем|али|приложени)))\b",
    # Round 26, second look (round 26's training sets): the extension not pressed, the end of the
    # protection waited for, silence until it closes by itself, the platform answered for the
    # seller, receipt or the order accepted for a benefit, the claim edited, guilt about the dispute.
    r"(?<!можете )(?<!можно )(?<!попросит вас )(?<!попросят вас )\bне (?:продлевайте|продлевай"
    r"|продлевать)\b|\bне (?:надо |нужно )?(?:нажимать"
    r"|жмите|жать|трогайте|трогать|нажимайте)(?: [^ .]+)? (?:продл\w*|кнопку продл\w*)"
    r"|\b(?:дождитесь|подождите|ждите)(?: [^ .]+){0,2}? (?:окончания|конца|истечения) (?:срока )?защит\w*"
    r"|\bпока не (?:кончится|закончится|истечет) (?:срок )?защит\w*|\bбез продления\b"
    r"|\bзащит\w* (?:сама |просто )?(?:кончится|закончится|истечет)(?: [^ .]+){0,4}? (?:и|а|тогда"
    r"|потом) (?:я|мы)\b",
    r"\bничего не (?:нажимайте|делайте|пишите|предпринимайте|трогайте)(?: [^ .]+){0,8}? (?:само|сам|сама|все)"
    r" (?:закроется|кончится|истечет|закончится)"
    r"|\bне (?:надо |нужно )?(?:ничего )?(?:отвечайте|отвечать|отвечай|заходите)\b(?: [^ .]+){0,6}?"
    r" (?:закро|закрыт|истеч)\w*"
    r"|\bне (?:надо |нужно )?(?:ничего )?(?:отвечайте|отвечать|отвечай)(?: на (?:письм|сообщени|вопрос)\w*)?"
    r" (?:[^ .]+ )?(?:площадк|платформ|поддержк|арбитраж|модератор|администрац)\w*",
    r"\b(?:модератор|арбитр|арбитраж|поддержк|площадк|платформ|сотрудник)\w*(?: [^ .]+){0,6}? (?:скажите"
    r"|ответьте"
    r"|напишите|пишите|нажмите|жмите)(?: [^ .]+){0,2}? (?:что )?(?<!не )(?:все (?:хорошо|в порядке"
    r"|нормально|ок)"
    r"|договорились|претензий нет|получил\w*|решен\w*|довольн\w*|да)\b",
    r"\b(?:подтвердите|подтверди|подтвердить|примите|нажмите|кликните)(?: [^ .]+){0,3}? (?:получени\w*"
    r"|получил\w*"
    r"|доставк\w*|заказ|я получил|при[её]м\w*)(?:\.? [^ .]+){0,8}? (?:<STRONG_BENEFIT_RU>|отправлю"
    r"|отправим|дам"
    r"|компенсирую|возмещу|оплачу)\b"
    r"|\b(?:подтвердите|подтверди|подтвердить)(?: [^ .]+){0,3}? (?:получени\w*|получен\b)(?: [^ ]+){0,8}?"
    r" (?:заранее|застрял\w*|не обману|зарплат\w*|доставлен\w*|даже если)",
    r"(?:^|\. |\b(?:давайте|можно|лучше) )без возврат\w*|\bотказывайтесь от возврат\w*"
    r"|\bоткажитесь от рефанд\w*|\bне (?:будете )?(?:просить|требовать) (?:деньги|возврат|рефанд)\w*",
    r"\b(?:поменяйте|измените|смените|замените|поменяете)(?: [^ .]+){0,6}? на (?:получен\w*|претензий нет"
    r"|вернуть 0)"
    r"|\b(?:поменяете|поменяйте) причин\w*"
    r"|\bотредактируйте (?:[^ .]+ )?(?:заявк|спор|жалоб|претензи|описани)\w* (?:и )?(?:укажите|напишите"
    r"|сотрите"
    r"|удалите|уберите|поменяйте|измените|добавьте|допишите)\b"
    r"|\b(?:добавьте|напишите|оставьте|укажите|допишите)(?: [^ .]+){0,4}? (?:все решено|претензий нет"
    r"|вопрос решен"
    r"|проблема решена)"
    r"|\b(?:укажите|напишите|допишите)(?: [^ .]+){0,3}? что (?:товар|все)(?: [^ .]+){0,2}? (?:цел\w*"
    r"|соответству\w*"
    r"|в норме|довольн\w*)|\bнапишите(?: [^ .]+)? что сами повредил\w*"
    r"|\b(?:удалите|уберите|сотрите)(?: [^ .]+){0,3}? част\w* (?:претензи|жалоб|спор)\w*",
    r"\b(?:всего|только) (?:одн\w*|один) (?:кнопк\w*|клик\w*|нажати\w*)|\bодин клик\b"
    r"|\b(?:уволят|закроют|выгонят|заблокир\w*|отключ\w*|конец|убьет|штраф\w*|не спал\w*|пожале\w*)"
    r"(?: [^ .]+){0,5}? из за (?:вашего|вашей|этого|этой|открыт\w*) (?:спор|претензи|жалоб|диспут)\w*"
    r"|\bиз за (?:вашего|вашей|этого|этой|открыт\w*) (?:спор|претензи|жалоб|диспут)\w*(?: [^ .]+){0,5}?"
    r" (?:уволят|закроют|выгонят|заблокир\w*|отключ\w*|конец|убьет|штраф\w*|пожале\w*)"
    r"|\bне (?:держат|держите|держи) (?:[^ .]+ ){0,3}?(?:спор|претензи|жалоб|диспут)"
    r"|\bне (?:закроете|отзовете|снимете|отмените)(?: [^ .]+){0,3}? (?:пеняйте|пожалеете|хуже"
    r"|ничего не (?:получите"
    r"|увидите)|денег не увидите)",
    r"\bqr(?: [^ .]+){0,4}? (?:напишите|пишите|свяжитесь|пиши)\b"
    r"|\b(?:я|мы) (?:вам|тебе) (?:на|через) (?:[^ .]+ )?<CHANNEL_RU>",
)
