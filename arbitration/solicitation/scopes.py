"""The exempt scopes of ``patterns.DEFAULT_PATTERNS`` (R-DSP-8): the first ones, then those added in
round 5 of issue 17 and after.

The false alarms left after round 4 were the patterns': a messenger named as what a device or app
does with it, a refusal in the first person with a verb no list held (or someone else's request
told as a story), and the writer closing the dispute themselves. Each is a scope an exempt match
covers, so the flagging match it overlaps is dropped; ``matching.detect`` also hides the words
it covers from the classifier.
"""

from __future__ import annotations

from arbitration.solicitation.fragments import default_pattern
from arbitration.solicitation.intents import Intent

# The first exempt scopes (rounds 1 to 4): refusals, warnings about others, how the buyer paid,
# the refund going back the way they paid, a channel named as talk or as where the shop was found.
BASE_EXEMPT = [
    default_pattern(
        "refusal-en",
        "en",
        Intent.EXEMPT,
        'A refusal that names a channel or the dispute: "we can\'t send money via PayPal", "we don\'t use '
        'WhatsApp or Telegram", "I will not ask you to close the dispute", "refunds can\'t go to a '
        'Qiwi wallet".',
        r"\b(?:can t|cannot|can not|don t|do not|dont|doesn t|does not|won t|will not|never|not allowed to"
        r"|didn t|did not|haven t|have not|hasn t|has not"
        r"|unable to|no longer|not possible to|isn t possible to|refuse to|forbids?|forbidden to|prohibits?"
        r"|prohibited to|not permitted to)"
        r"(?: (?:be able to|allow|allows|let us|permit|ever|ask you to|ask anyone to))? "
        r"(?:use|do|work|accept|take|send|pay|transfer|refund|return|give|ask|contact|message|write|call"
        r"|share"
        r"|have|offer|move|go|support|make|process|issue|close|cancel|withdraw|communicate|settle|solve"
        r"|resolve|handle|sort|agree|deal|discuss|talk|switch|continue|chat|answer|reply|respond|read|check"
        r"|monitor|got|get|receive|received|wrote|written|messaged|texted|called|contacted|sent|asked|offered"
        r"|answered|replied|be (?:sent|moved|paid"
        r"|refunded))\w*"
        r"<IN_CLAUSE_EN>{0,6}? <TARGET_EN>"
        r"(?: (?:or|and|nor|any) (?:[^ .]+ ){0,2}?<TARGET_EN>)*<REST_OF_CLAUSE_EN>",
        r"<TARGET_EN><IN_CLAUSE_EN>{0,4}? (?:is not|are not|isn t|aren t|is never|are never"
        r"|cannot be|can t be"
        r"|not|never) (?:supported|accepted|allowed|possible|available|used|an option|permitted|sent|paid"
        r"|refunded|(?:something|anything|a thing|what) (?:we|i)"
        r" (?:do|offer|use|accept|allow|support|work with))\b",
        r"(?:<TARGET_EN>)(?: [^ .]+){0,6}? <ONLY_HERE_EN>",
        # Round 20: the channels listed first ("Telegram, WhatsApp, Viber - we don't use any of them").
        r"<TARGET_EN>(?: (?:and |or |nor )?<TARGET_EN>)*(?: [^ .]+){0,2}? (?:we|i) (?:don t|do not|never"
        r"|won t|will not|can t|cannot) (?:use|accept|work with|take|do|support|offer)\b<REST_OF_CLAUSE_EN>",
    ),
    default_pattern(
        "refusal-ru",
        "ru",
        Intent.EXEMPT,
        'Отказ, в котором назван канал или спор: "мы не переводим на карту", "мы не пользуемся ватсапом", '
        '"на киви вернуть нельзя", "скидку за отмену спора мы не даём".',
        # Round 26: not an order to stop writing here ("Сюда не пишите, наш менеджер в телеге @…").
        r"(?<!сюда )(?<!здесь )(?<!тут )(?<!сюда больше )(?<!здесь больше )(?<!тут больше )"
        r"\b(?:не (?:можем|могу|может|будем|буду|пользуемся|пользуюсь|работаем|работаю|просим|прошу|переводим"
        r"|перевожу|отправляем|принимаем|даем|дадим|делаем|используем|пишем|звоним|общаемся|разрешает\w*"
        r"|получится|предлагаем|ведем|связываемся|высылаем|берем|возвращаем|сможем|позволяет|принимает"
        r"|переводите|пишите|сообщайте|отправляйте|платите|оплачивайте|давайте|доверяйте|переходите|звоните"
        r"|отвечайте|передавайте|называйте|разрешают|позволяют|попросим|попрошу|предложим|предложу"
        r"|станем|стану"
        # Round 25: the shop in the third person ("наш магазин не переводит деньги на карты").
        r"|переводит|пользуется|работает|возвращает|отправляет|просит"
        r"|собираемся|собираюсь|имею права|имеем права|вправе)|нельзя|невозможно|запрещ\w*)"
        r"<IN_CLAUSE_RU>{0,6}? <TARGET_RU>(?: (?:и|или|ни) (?:[^ .]+ ){0,2}?<TARGET_RU>)*<REST_OF_CLAUSE_RU>",
        # Round 20: not across "иначе"/"а то" ("Отзовите претензию, иначе ничего отправлять не буду"
        # threatens, it refuses nothing); round 23: nor "сюда" ("в вайбер, сюда писать нельзя"),
        # round 25: nor "тут"/"здесь" ("в телегу t.me/…, тут не могу нормально общаться").
        r"<TARGET_RU>(?: (?!иначе\b|а то\b|не то\b|сюда\b|тут\b|здесь\b)[^ .]+){0,5}? "
        r"(?:нельзя|невозможно|запрещено"
        r"|не (?:получится|выйдет|можем|могу|даем"
        r"|делаем|принимаем|работаем|возвращаем|переводим|предлагаем|буду|будем|стану|станем|хочу|хотим"
        r"|пользуемся|используем|общаемся|пишем|практикуем|переходим|отвечает|отвечаем|отвечаю|работает|дам"
        r"|даю|читаем|читаю|имею права|имеем права|вправе|положено|допускается|писал\w*|звонил\w*"
        r"|предлагал\w*"
        r"|просил\w*|отвечал\w*|получал\w*|получил\w*))\b",
        r"(?:<TARGET_RU>)(?: [^ .]+){0,6}? <ONLY_HERE_RU>",
    ),
    default_pattern(
        "warning",
        "any",
        Intent.EXEMPT,
        'A sentence that warns about others or scams: "some sellers ask buyers to pay on WhatsApp", '
        '"if anyone '
        'writes to you on Telegram pretending to be us", "мошенники пишут в телеграме".',
        # Round 21: not the buyer called a scammer in a threat ("…, I tell everyone you're a scammer",
        # "напишу заявление, что вы мошенник").
        r"(?:^|(?<=\. ))[^.]*?(?:\b(?:some|other|many) (?:sellers|shops|stores|people|scammers)\b"
        # Round 23: not an ask to keep it quiet ("no need to involve anyone", "don't tell anybody").
        r"|(?<!you re a )(?<!you are a )(?<!you re )(?<!you are )(?<!involve )(?<!tell )(?<!inform )"
        r"\b(?:anyone|anybody|someone|somebody"
        r"|scammers?|fraudsters?|pretending|claiming to be|be careful"
        r"|beware|warning|impersonat\w*|posing as|pretend\w*|fake(?! (?:brand|item|product|goods"
        r"|logo)))\b|(?<!you re a )(?<!you are a )\bscam\w*"
        # Round 22: "it's phishing", "no legit shop will ask your routing number".
        r"|\bphishing\b|\bno (?:legit|legitimate|real|honest|genuine) (?:shop|seller|store|company|bank)\w*"
        r"|(?<!вы )(?<!ты )мошенник\w*|осторожн\w*|будьте внимательн\w*|некоторые (?:продавцы|магазины)"
        r"|от (?:имени|нашего имени)"
        # Round 22: reporting to support, not telling support that all is well.
        r"|это не мы|если вам (?:предлагают|пишут|звонят)|\bникому\b|сообщите в поддержку(?! что\b)"
        r"|бдительн\w*|якобы|\bвзлом\w*|игнорируйте|\bhacked\b|\bignore (?:any |all |the )?messages\b"
        r"|вам могут (?:написать|позвонить|предложить)|представ\w* (?:нами|сотрудник\w*|продавц\w*)"
        # Round 16: "someone" in Russian, as "anyone"/"someone" above ("если кто-то просит …").
        r"|\bкто (?:то|нибудь|либо) (?:просит|попросит|предлагает|предложит|пишет|напишет|звонит|позвонит)\b"
        # Round 18: fakes and "don't believe/fall for" ("фейковая «поддержка» может предлагать …, не
        # ведитесь", "Не верьте письмам «закройте спор …» — это подделка").
        r"|фейков\w*|поддельн\w*|(?<!про )(?<!слово )подделк\w*(?! бренд)|\bне (?:верьте|ведитесь"
        r"|поддавайтесь)\b"
        # Round 22: "if any seller ever offers you money to close a case, report it".
        r"|\b(?:the |this |a |my |any )?seller(?: ever| even)? (?:asked|asks|wants|wanted|told|offered|offers"
        r"|suggested|suggests"
        r"|is asking|keeps asking|tried|is trying)\b"
        r"|\bпродав(?:ец|щик\w*) (?:предложил\w*|предлагает|просит|попросил\w*|хочет|написал\w*"
        r"|требует))[^.]*",
    ),
    default_pattern(
        "platform-payment-route",
        "any",
        Intent.EXEMPT,
        'How the buyer paid and the platform\'s own refund route: "you paid with PayPal", "the platform will '
        'return it to the same PayPal account", "деньги вернутся на карту, с которой вы платили".',
        r"\b(?:paid|payed|used|chose|selected)(?: for (?:it|the order))?(?: [^ .]+){0,3}? <CHANNEL_EN>",
        r"\b(?:platform|marketplace|system|aliexpress|arbiter|arbitration|your bank)"
        # Round 22: not across "please" ("…your bank account please send me SWIFT details").
        r"(?: (?!(?:i|we|you|u|me|us|please|pls|plz)\b)[^ .]+){0,2}? "
        r"(?:return|refund|send|transfer|pay|move)\w*(?: [^ .]+){0,8}",
        # Round 6: the refund told as done by the platform ("your PayPal refund was processed by the site").
        r"\b(?:your |the |my )?(?:[^ .]+ )?(?:refunds?|money|payment)(?: [^ .]+)? (?:was|is|has been"
        r"|have been|will be|got|were) (?:processed|issued|sent|made|returned|completed|approved|paid)"
        r" (?:by|through|via) (?:the )?(?:platform|marketplace|site|system|aliexpress|arbiter|arbitration)\b",
        r"\b(?:refunds?|money)(?: [^ .]+){0,2}? (?:go|goes|return|returns|come|comes|show|shows|arrive\w*|is"
        r"|are)"
        r"(?: back)?(?: [^ .]+){0,5}? <CHANNEL_EN>(?: (?:or|and) (?:[^ .]+ ){0,2}?<CHANNEL_EN>)*",
        r"\b(?:оплатил\w*|оплачивал\w*|платил\w*|оплачен\w*)(?: [^ .]+){0,3}? <CHANNEL_RU>",
        r"\b(?:площадка|платформа|система|арбитр|алиэкспресс|банк)"
        r"(?: (?!(?:я|мы|вы|пожалуйста)\b)[^ .]+){0,2}? "
        r"(?:вернет|переведет|отправит|возвращает|перечислит|начисл\w*)(?: [^ .]+){0,8}",
        r"\b(?:деньги|средства|возврат)(?: [^ .]+){0,3}? (?:вернутся|придут|придет|поступят|будет|пойдет"
        r"|идет)"
        r"(?: [^ .]+){0,6}? <CHANNEL_RU>(?: (?:или|и) (?:[^ .]+ ){0,2}?<CHANNEL_RU>)*",
    ),
]

BASE_EXEMPT.append(
    default_pattern(
        "buyers-own-decision",
        "any",
        Intent.EXEMPT,
        "Closing named as the buyer's own decision, told back or thanked for, not asked for: "
        '"withdrawing the dispute is your decision", "закрывать спор или нет — решать вам", "you said you '
        'want to cancel the dispute", "Вижу, вы закрыли спор, спасибо".',
        r"<CLOSE_EN>\w*<DET_EN> <DISPUTE_EN> (?:is|remains) (?:entirely |only |completely |always )?"
        r"(?:your (?:own )?(?:decision|choice|right)|up to you)",
        r"(?:<CLOSE_RU>|закрывать|отменять|отзывать)(?: [^ .]+)? <DISPUTE_RU>(?: или нет)? (?:решать вам"
        r"|это ваше (?:право|решение)|ваше (?:право|решение))",
        # Round 20: told back, thanked for or disowned, as round 19 wrongly flagged it ("you said you
        # want to cancel the dispute — please don't do it because of me", "Вижу, вы закрыли спор,
        # спасибо", "Не подумайте, что я прошу отменить спор").
        r"\b(?:you|u) (?:said|say|told me|wrote|mentioned)(?: that)?(?: you)? (?:want|wanted|would like"
        r"|d like|plan|planned|are going|were going|are thinking|were thinking)(?: to| of| about)?"
        r" <CLOSE_EN>\w*<DET_EN> <DISPUTE_EN>",
        r"\b(?:thank you|thanks|thx|i see|we see|i saw|we saw)(?: [^ .]+){0,2}? (?:you|u) (?:have |ve )?"
        r"(?:closed|cancel+ed|withdrew|withdrawn|dropped)<DET_EN> <DISPUTE_EN>",
        r"\bdon t think (?:that )?(?:i|we) (?:am|are|m|re) asking you to <CLOSE_EN><DET_EN> <DISPUTE_EN>",
        r"\b(?:вы|ты) (?:говорили|сказали|писали|написали|говорил\w?|сказал\w?|писал\w?|написал\w?)(?: что)?"
        r" (?:хотите|хотели|собираетесь|собирались|хочешь|хотел\w*|думаете|подумываете)(?: [^ .]+)?"
        r" <CLOSE_RU>(?: [^ .]+)? <DISPUTE_RU>",
        r"\b(?:вижу|видим|увидел\w*|спасибо|благодарю|благодарим)(?: [^ .]+){0,2}? (?:вы|ты)"
        r" (?:уже |сами |сам |сама )*"
        r"(?:закрыли|отменили|отозвали|сняли|закрыл\w?|отменил\w?|отозвал\w?|снял\w?)(?: [^ .]+)?"
        r" <DISPUTE_RU>",
        r"\bне (?:подумайте|думайте)(?: [^ .]+)?(?: что)? (?:я|мы) (?:прошу|просим|уговариваю|уговариваем)"
        r"(?: вас)? <CLOSE_RU>(?: [^ .]+)? <DISPUTE_RU>",
        # Round 21: when to close, as advice, and who may close it ("close the dispute only after you
        # actually receive the refund", "Закрыть спор может только покупатель или платформа").
        r"<CLOSE_EN><DET_EN> <DISPUTE_EN> only (?:after|when|once) (?:you )?(?:actually |really )?(?:receive"
        r"|get|have|see)",
        r"\bonly (?:the buyer|you|the platform|the arbiter|support) (?:can|may) (?:close|cancel|withdraw)",
        r"(?:закрыть|отменить|отозвать|снять) <DISPUTE_RU> (?:может|могут|можете) только\b",
    )
)

BASE_EXEMPT += [
    default_pattern(
        "closed-by-the-writer",
        "any",
        Intent.EXEMPT,
        "The writer telling what they did themselves, not asking for it: "
        '"I have closed the dispute myself", "я сама закрыла спор".',
        r"\b(?:i|we)(?: (?:have|ve|already|just|myself|ourselves|also|\w+ly|by mistake))*"
        r" (?:closed|cancel+ed|withdrew"
        r"|withdrawn"
        r"|retracted|dropped)(?: (?:the|my|our|this))? <DISPUTE_EN>"
        r"|\b(?:my|our) <DISPUTE_EN> (?:is|was|has been|got) (?:now |already )?(?:closed|cancel+ed|withdrawn"
        r"|retracted|dropped)\b",
        r"\b(?:я|мы)(?: (?:сам\w*|уже|только что|тоже|\w+о|по ошибке))* (?:закрыл\w*|отменил\w*|отозвал\w*"
        r"|снял\w*)(?: [^ .]+)? <DISPUTE_RU>"
        r"|\b(?:мой|моя|наш|наша) <DISPUTE_RU> (?:уже )?(?:закрыт\w*|отменен\w*|отозван\w*|снят\w*)\b",
    ),
    default_pattern(
        "messenger-as-app-or-source",
        "any",
        Intent.EXEMPT,
        "A messenger named as a feature of the goods or as where the buyer found the shop, not as a way to "
        'talk: "WhatsApp and Telegram come preinstalled", "notifications from Viber", "I found your shop on '
        'Instagram", "уведомления из вайбера", "нашла вас через инстаграм".',
        r"(?:<MESSENGERS>)(?: (?:and|or|и|или) (?:<MESSENGERS>))*(?: (?:are|is|come|comes|already|уже))? "
        r"(?:pre ?installed|installed|предустановлен\w*|установлен\w*)\b",
        r"\b(?:pre ?installed|предустановлен\w*)(?: [^ .]+){0,2}? (?:<MESSENGERS>)(?: (?:and|or|и"
        r"|или) (?:<MESSENGERS>))*",
        r"\b(?:supports?|compatible with|works with|поддержива\w*"
        r"|работает с)(?: [^ .]+){0,2}? (?:<MESSENGERS>)"
        r"(?: (?:and|or|и|или) (?:<MESSENGERS>))*",
        r"\b(?:notifications?|alerts?|уведомлени\w*)(?: [^ .]+)? (?:from|of|for|in|из|от|в) (?:<MESSENGERS>)"
        r"(?: (?:and|or|и|или) (?:<MESSENGERS>))*",
        r"\b(?:saw|seen|found|discovered|noticed|came across|heard about)\b(?: [^ .]+){0,4}? "
        r"(?:on|in|via|through) (?:<MESSENGERS>)",
        r"\b(?:нашл\w*|нашел|увидел\w*|видел\w*|узнал\w*)(?: [^ .]+){0,3}? (?:в|через|на"
        r"|из) (?:<MESSENGERS>)",
    ),
]


ROUND5_EXEMPT = [
    default_pattern(
        "channel-as-device-feature",
        "any",
        Intent.EXEMPT,
        "A messenger named as what a device or app does with it, not as a way to talk: "
        '"the speaker reads out WhatsApp messages", "Telegram notifications on the band", "the tablet '
        'runs Discord", "часы показывают уведомления WhatsApp", "планшет запускает Discord".',
        r"\b<DEVICE_VERB_EN>(?: [^ .]+){0,4}? <MESSENGER_LIST>",
        r"\b<DEVICE_VERB_RU>(?: [^ .]+){0,4}? <MESSENGER_LIST>",
        r"<MESSENGER_LIST> (?:messages?|notifications?|notifs?|alerts?|chats?|voice (?:calls?|messages?)"
        r"|video calls?|calls? (?:work|works|are|is|go|goes)|app (?:works|runs|opens|is installed))\b",
        r"\b(?:сообщени\w*|уведомлени\w*|оповещени\w*|звонк\w*|чат\w*) (?:из|от|в|во|через) <MESSENGER_LIST>"
        r"(?! (?:мне|нам)\b)",
    ),
    default_pattern(
        "refusal-first-person",
        "any",
        Intent.EXEMPT,
        "A refusal in the first person or an asking not to, whatever the verb: "
        '"we don\'t move to WhatsApp", "I\'m not going to pay you through Venmo", '
        '"please don\'t send me your phone number", "no Telegram please", "мы не уходим в WhatsApp", '
        '"сделки в Телеграме не проводим".',
        r"\b(?:i|we)(?: [^ .]+)? (?:don t|do not|dont|never|won t|will not|am not|m not|are not|re not"
        r"|would not|wouldn t|shall not|not)(?: (?:going to|gonna|about to|allowed to|willing to|planning to"
        r"|ever|really|even|be))* [^ .]+<IN_REFUSAL_EN>{0,6}? <NOT_IMPERATIVE_EN><TARGET_EN>"
        r"(?: (?:or|and|nor|any) (?:[^ .]+ ){0,2}?<TARGET_EN>)*<REST_OF_CLAUSE_EN>",
        r"(?:^|\. |\b(?:please|pls|plz|kindly|so) )(?:don t|do not|dont|never) (?:send|give|share|write|text"
        r"|message|contact|call|move|go|switch|pay|transfer|use|add|post|tell|leave|ask|accept|agree)\w*"
        r"<IN_REFUSAL_EN>{0,4}? "
        r"<NOT_IMPERATIVE_EN><TARGET_EN><REST_OF_CLAUSE_EN>",
        r"(?:^|\. )(?:no|not) (?:more |any )?<TARGET_EN>(?: (?:or|and|nor|no|not) <TARGET_EN>)*"
        r"(?: (?:please|pls|sorry|thanks|here|for us|for me))*"
        r"(?=$|\. | (?:the|this|we|i|our|it|all|only|just)\b)",
        r"\b(?:мы|я)(?: [^ .]+)? не [^ .]+<IN_REFUSAL_RU>{0,6}? <NOT_IMPERATIVE_RU><TARGET_RU>"
        r"(?: (?:и|или|ни) (?:[^ .]+ ){0,2}?<TARGET_RU>)*<REST_OF_CLAUSE_RU>",
        r"\bне (?:будем|буду|станем|стану|собираюсь|собираемся|хочу|хотим)?[^ .]*(?:ем|им|ём|ю)(?:ся)?"
        r"<IN_REFUSAL_RU>{0,4}? <NOT_IMPERATIVE_RU><TARGET_RU><REST_OF_CLAUSE_RU>",
        r"(?:<CHANNEL_RU>|<MESSENGERS>|почт\w*|номер\w*)(?: [^ .]+){0,3}? (?:мы |я )?не "
        r"(?:[^ .]+(?:ем|им|ём|ю)|буду|будем|стану|станем)\b",
        r"(?:^|\. )(?:никаких|без) <TARGET_RU>",
        # Round 24: closing asked about and refused at once ("Закрыть спор? Нет-нет, не надо").
        r"(?:^|\. )(?:close|cancel|withdraw) (?:the |this |your )?<DISPUTE_EN>\. (?:no|nope)\b"
        r"|(?:^|\. )(?:закрыть|отменить|отозвать|снять) (?:[^ .]+ )?<DISPUTE_RU>\. (?:нет|ни в коем)\b",
    ),
    default_pattern(
        "others-asked-before",
        "any",
        Intent.EXEMPT,
        "Someone else's earlier request told as a story or a warning: \"a buyer once wanted me to pay him on "
        'Zelle, I said no", "кто-то предлагал мне перейти в Вайбер, оказалось мошенничество".',
        r"(?:^|(?<=\. ))[^.]*?(?:\b(?:a|one|another|some|the other|other) (?:buyer|customer|client|person|guy"
        r"|man|woman|seller|shop)s? (?:once |already |also |recently |before )?(?:asked|wanted|offered"
        r"|suggested|tried|told|wrote|invited)\b"
        r"|\b(?:кто ?то|один (?:покупатель|клиент|человек|продавец)|некоторые (?:покупатели|клиенты|люди))"
        r"(?: [^ .]+)? (?:предлагал\w*|просил\w*|хотел\w*|писал\w*|звал\w*|уговаривал\w*)"
        r"|мошенничеств\w*|\bобман\w*|\bразвод\w*)[^.]*",
    ),
    default_pattern(
        "closing-by-the-writer",
        "any",
        Intent.EXEMPT,
        "The writer closing the dispute themselves, now or later, or the arbiter closing it: "
        '"I\'ll close the dispute myself once the refund shows up", "the replacement arrived, I\'m closing '
        'the case", "закрою спор сам", "замену получила, закрываю претензию", "арбитр закроет дело".',
        r"\bi(?: ll| will| shall| am| m| am going to| m going to| m gonna| am gonna| ve decided to"
        r"| have decided to| decided to| want to| d like to| m about to| plan to| d| would)?"
        r"(?: (?:just|now|also|then|soon|definitely|gladly|happily|myself"
        r"|immediately|go ahead and|already))* (?:<CLOSE_EN>|closing|cancel+ing|withdrawing|retracting)"
        r"<DET_EN> <DISPUTE_EN>",
        r"\bi(?: ll| will| m going to| am going to| shall) (?:close|cancel|withdraw|drop|retract) it"
        r"(?= myself| when| once| after| as soon as| tomorrow| today| later| then| if (?:the|my|it)\b)",
        r"(?:^|\. |\b(?:ok|okay|so|now|then|great|thanks|thank you) )(?:closing|cancel+ing|withdrawing"
        r"|retracting)<DET_OWN_EN> <DISPUTE_EN>(?=$|\. | (?:now|today|myself|on my (?:side|end)|from my side"
        r"|thanks|thank you)\b)",
        r"\b(?:arbit\w*|platform|site|system|support|moderators?|admins?|marketplace)(?: (?:will|would|should"
        r"|can|is going to|shall|may|then|automatically))* (?:close|closes|cancel|cancels)<DET_EN> "
        r"<DISPUTE_EN>",
        r"\b(?:я )?(?:сам\w* )?<CLOSE_RU_ME>(?: (?:сам\w*|тогда|уже|сейчас|сегодня|сразу|обязательно))* "
        r"(?:[^ .]+ )?<DISPUTE_RU>",
        r"\b<DISPUTE_RU>(?: [^ .]+)?(?: я)?(?: сам\w*)? <CLOSE_RU_ME>\b",
        r"\b<DISPUTE_RU> (?:[^ .]+ )?(?:я|мы)(?: (?:уже|сам\w*))* (?:закрыл\w*|отменил\w*|отозвал\w*"
        r"|снял\w*)\b",
        r"\bя(?: (?:сам\w*|уже|только что|тоже))* (?:закрыл\w*|отменил\w*|отозвал\w*|снял\w*)\b",
        r"\b(?:арбитр\w*|площадка|платформа|система|поддержка|модератор\w*|сайт)(?: сам\w*)? "
        r"(?:закроет|закрывает|отменит|закроют)\b",
    ),
]


ROUND6_EXEMPT = [
    default_pattern(
        "app-as-goods",
        "any",
        Intent.EXEMPT,
        "An app named as goods or a part of them, not as a way to talk: a licence for it, its bot in a "
        'device, what it comes in ("Zoom Pro licence", "the router has a Telegram bot", "is Skype '
        'included in the licence", "лицензия Zoom на год", "роутер управляется через Телеграм-бота").',
        r"<MESSENGER_LIST>(?: (?:pro|premium|business|plus|one|workplace|enterprise|basic|for business"
        r"|бизнес|премиум))* (?:licen[cs]e\w*|subscriptions?|plans?|seats?|activation|keys?|credits?"
        r"|лиценз\w*|подписк\w*|ключ\w*|активаци\w*)\b",
        r"\b(?:licen[cs]e\w*|subscriptions?|activation (?:key|code)s?|лиценз\w*|подписк\w*|ключ\w* активации)"
        r"(?: [^ .]+)? (?:for|to|of|на|для|к) (?:[^ .]+ )?<MESSENGER_LIST>",
        r"<MESSENGER_LIST>(?: [^ .]+){0,2}? (?:included|bundled|comes?) (?:in|with)\b"
        r"|\b(?:входит ли|входят ли|включен\w* ли) <MESSENGER_LIST>|<MESSENGER_LIST> (?:в|во) (?:[^ .]+ )?"
        r"(?:лиценз\w*|подписк\w*|комплект\w*|пакет\w*)",
        r"\b(?:has|have|had|includes?|comes with|with (?:a|its|the)|controlled (?:by|via|through|with)"
        r"|managed (?:by|via|through|with)|configured (?:by|via|through|with)|set up (?:by|via|through|with))"
        r"(?: [^ .]+){0,2}? <MESSENGER_LIST> bots?\b",
        r"\b(?:управля\w*|настраива\w*|настро\w*|есть|имеет|встроен\w*) (?:[^ .]+ ){0,2}?"
        r"<MESSENGER_LIST> бот\w*",
    ),
    default_pattern(
        "channel-not-had-or-given",
        "any",
        Intent.EXEMPT,
        "A channel the writer has not got or won't hand over: "
        '"sorry, I don\'t have WhatsApp", "I\'m not on Telegram", "I\'m not going to give you my WhatsApp", '
        '"у меня нет вотсапа", "в телеграме не сижу", "свой номер не дам".',
        r"\b(?:i|we)(?: (?:really|just|also|still))? (?:don t|do not|dont|never|haven t|have not|ve never"
        r"|have never) (?:have|had|use|used|got)(?: (?:a|an|any))? <TARGET_EN>"
        r"(?: (?:or|and|nor) (?:[^ .]+ )?<TARGET_EN>)*"
        r"|\b(?:i|we) (?:have|ve got|got) no <TARGET_EN>(?: (?:or|and|nor) (?:[^ .]+ )?<TARGET_EN>)*"
        r"|\b(?:i m|i am|we re|we are) not (?:on|in|using) (?:<MESSENGERS>)",
        r"\b(?:i|we)(?: [^ .]+)? (?:don t|do not|dont|never|won t|will not|am not|m not|are not|re not"
        r"|not)(?: (?:going to|gonna|about to|willing to|planning to|ever))* (?:give|share|send|tell|hand"
        r"|post|leave|reveal|disclose|provide)(?: (?:you|u|anyone|anybody|out))? (?:my|our) <TARGET_EN>"
        r"(?: (?:or|and|nor) (?:my |our )?<TARGET_EN>)*",
        r"\bу (?:меня|нас)(?: [^ .]+)? нет <TARGET_RU>(?: (?:и|или|ни) (?:[^ .]+ )?<TARGET_RU>)*"
        r"|\b(?:я|мы)(?: [^ .]+)? не (?:сижу|сидим|пользуюсь|пользуемся|завел\w*|заводил\w*|имею|имеем)"
        r"(?: [^ .]+)? <TARGET_RU>"
        r"|<TARGET_RU> (?:у (?:меня|нас) )?(?:нет|не (?:сижу|сидим|завел\w*|заводил\w*|веду|ведем))\b",
        r"\b(?:я|мы)(?: [^ .]+)? не (?:дам|дадим|скажу|скажем|сообщу|сообщим|оставлю|оставим|скину|скинем)"
        r"(?: вам| тебе)? (?:свой|свою|своё|свое|мой|мою|наш\w*) <TARGET_RU>"
        r"|\b(?:свой|свою|своё|свое|мой|мою|наш\w*) <TARGET_RU>(?: [^ .]+)? не (?:дам|дадим|скажу|скажем"
        r"|сообщу|оставлю|скину)\b",
    ),
    default_pattern(
        "closing-as-a-fact",
        "any",
        Intent.EXEMPT,
        "What closing a dispute means, told as a fact or the platform's notice, not asked for: "
        '"withdrawing a dispute is final and can\'t be undone", "a closed case cannot be reopened", '
        '"отзыв спора окончательный", "закрытый спор нельзя открыть снова".',
        r"\b(?:closing|cancel+ing|withdrawing|retracting|withdrawal of|closure of)<DET_EN> <DISPUTE_EN>"
        r"(?: [^ .]+){0,2}? (?:is|are) (?:final|permanent|irreversible|irrevocable|not reversible"
        r"|for good|definitive)\b",
        r"\b(?:closing|cancel+ing|withdrawing|retracting|withdrawal of|closure of)<DET_EN> <DISPUTE_EN>"
        r"(?: [^ .]+){0,4}? (?:can t|cannot|can not|won t|will not) be (?:undone|reversed|reopened|restored"
        r"|cancel+ed|taken back)\b",
        r"\b(?:a |the |your )?(?:closed|withdrawn|cancel+ed) <DISPUTE_EN> (?:can t|cannot|can not|won t"
        r"|will not) be (?:reopened|restored|undone)\b",
        r"\b(?:отзыв|закрытие|отмена)(?: [^ .]+)? <DISPUTE_RU>(?: [^ .]+){0,2}?"
        r" (?:окончательн\w*|необратим\w*"
        r"|бесповоротн\w*|нельзя (?:отменить|вернуть|открыть|восстановить))",
        r"\b(?:закрыт\w*|отозванн\w*|отмененн\w*) <DISPUTE_RU>(?: [^ .]+)? (?:нельзя|невозможно)"
        r" (?:открыть|вернуть|восстановить)",
        # The dispute's state asked or told as a whole sentence: "is the case closed now?",
        # "спор уже закрыт?".
        r"(?:^|\. )(?:is|was|has|did)<DET_EN> <DISPUTE_EN>(?: (?:been|already|now|get|got))*"
        r" (?:closed|cancel+ed|withdrawn|close)(?: (?:now|already|yet|then))?(?=$|\. )",
        r"(?:^|\. )(?:а |так )?(?:мой |моя |наш |наша |этот |эта )?<DISPUTE_RU>"
        r"(?: (?:уже|теперь|тогда|ещ[её] не|не))*"
        r" (?:закрыт\w*|отменен\w*|отозван\w*|снят\w*)(?=$|\. )",
    ),
]


ROUND8_EXEMPT = [
    default_pattern(
        "channel-calls-with-goods",
        "any",
        Intent.EXEMPT,
        "A messenger's calls or chat named as what the goods are used for, in a question or a complaint "
        'about them: "do the earbuds work ok for WhatsApp calls?", "the sound cuts out during Telegram '
        'calls", "наушники нормально работают в звонках вотсап?", "в звонках WhatsApp пропадает звук".',
        r"\b<GOODS_WORD_EN>(?: [^ .]+){0,3}? (?:for|in|on|during|with|over|via) (?:[^ .]+ )?"
        r"(?:<MESSENGER_LIST> <CALLS_EN>|<CALLS_EN> (?:in|on|over|via|through) <MESSENGER_LIST>)\b",
        r"\b(?:in|during|on) <MESSENGER_LIST> <CALLS_EN>(?: [^ .]+){0,3}? <GOODS_WORD_EN>",
        r"\b<GOODS_WORD_RU>(?: [^ .]+){0,3}? (?:в|во|при|для|через|с) (?:[^ .]+ )?<CALLS_RU>"
        r"(?: (?:в|во|через|по))? <MESSENGER_LIST>",
        r"\b(?:в|во|при|для) (?:[^ .]+ )?<CALLS_RU>(?: (?:в|во|через|по))? <MESSENGER_LIST>(?: [^ .]+){0,3}?"
        r" <GOODS_WORD_RU>",
    ),
    default_pattern(
        "nobody-will-contact-you",
        "any",
        Intent.EXEMPT,
        "A warning in the universal negative: nobody from the shop will contact the buyer on a channel or "
        'ask for money: "nobody from our team will ever contact you on Viber or by email", "никто из нашей '
        'команды не будет писать вам в Viber".',
        r"\b(?:nobody|no one|noone|none of (?:us|our|the|them)(?: [^ .]+)?"
        r"|no (?:employee|staff|member|manager"
        r"|representative|agent|operator|worker|person|one)\w*(?: (?:of|from) [^ .]+(?: [^ .]+)?)?)"
        r"(?: [^ .]+){0,4}? (?:will|would|shall|can|could|does|do|may|should|is going to|ever|never)"
        r"(?: (?:ever|never|be|going to|gonna|allowed to))*"
        r" (?:contact|write|message|text|call|phone|ask|e ?mail"
        r"|request|reach|demand|offer|send|dm|require|suggest|invite)\w*<IN_REFUSAL_EN>{0,6}? <TARGET_EN>"
        r"(?: (?:or|and|nor|any) (?:[^ .]+ ){0,3}?<TARGET_EN>)*<REST_OF_CLAUSE_EN>",
        r"\b(?:никто|ни один|ни одна|никакой|никакие)(?: [^ .]+){0,4}? (?:не|никогда не)"
        r"(?: (?:будет|будут|станет|станут|никогда|вам|тебе))* <NOT_IMPERATIVE_RU>"
        r"(?:будет|будут|станет|станут"
        r"|пис\w*|напис\w*|пиш\w*|напиш\w*|звон\w*|позвон\w*|прос\w*|попрос\w*|предл\w*|свяж\w*|связ\w*"
        r"|треб\w*|потреб\w*|обраща\w*)<IN_REFUSAL_RU>{0,6}? <TARGET_RU>"
        r"(?: (?:и|или|ни) (?:[^ .]+ ){0,2}?<TARGET_RU>)*<REST_OF_CLAUSE_RU>",
    ),
    default_pattern(
        "own-dispute-closed-now",
        "any",
        Intent.EXEMPT,
        "The writer closing their own dispute now, in the present continuous, anywhere in the sentence: "
        '"item arrived, closing my case now", "I\'m withdrawing my claim", "посылка пришла, закрываю свой '
        'спор".',
        r"\b(?:closing|cancel+ing|withdrawing|retracting|dropping|removing) (?:my|our)(?: own)?<ADJ_EN>"
        r" <DISPUTE_EN>",
        r"\b(?:i m|i am|we re|we are)(?: (?:now|just|also|already|hereby|officially))* (?:closing|cancel+ing"
        r"|withdrawing|retracting|dropping|removing)<DET_OWN_EN> <DISPUTE_EN>",
        r"\b<CLOSE_RU_ME> (?:сво[йюе]|мо[йюе]|нашу?)(?: [^ .]+)? <DISPUTE_RU>",
    ),
    default_pattern(
        "account-run-by-someone-else",
        "any",
        Intent.EXEMPT,
        "Someone else running the writer's account on a social network or messenger, not a way to talk: "
        '"my son handles my Facebook", "our Instagram is run by a manager", "мой сын ведёт мой фейсбук", '
        '"нашим инстаграмом занимается менеджер".',
        r"\b(?:handles?|runs?|manages?|looks? after|takes? care of|is in charge of|administers?|posts? on)"
        r" (?:my|our|his|her|the shop s|the store s) (?:<MESSENGERS>)"
        r"(?: (?:page|account|profile|group|channel))?",
        r"\b(?:my|our) (?:<MESSENGERS>)(?: (?:page|account|profile|group|channel))? (?:is|are) (?:run|managed"
        r"|handled|looked after|maintained) by\b",
        r"\b(?:вед[её]т|ведут|управля\w*|занима\w*|администриру\w*) (?:мо\w*|наш\w*|сво\w*) (?:<MESSENGERS>)",
        r"\b(?:мо\w*|наш\w*) (?:<MESSENGERS>)(?: [^ .]+)? (?:вед[её]т|ведут|занимается|занимаются|управляет"
        r"|управляют)\b",
    ),
]


ROUND9_EXEMPT = [
    default_pattern(
        "refusal-impersonal-ru",
        "any",
        Intent.EXEMPT,
        "A Russian refusal with no first person: what is named is then said to be impossible or "
        'forbidden, or refused with "никакого …": "оплату мимо сайта принять не можем", "общаться в '
        'Телеграме запрещено правилами", "никакой почты, пишите здесь".',
        r"(?:<TARGET_RU>|вне [^ .]+|<MESSENGER_LIST>)(?: (?!сюда\b|тут\b|здесь\b)[^ .]+){0,3}? "
        r"(?:не (?:можем|могу|может"
        r"|можно|разрешено|разрешается|положено|принято|получится|выйдет)|нельзя|запрещен\w*|невозможн\w*)\b",
        r"\b(?:нельзя|запрещен\w*|невозможн\w*|не разрешается|не положено)(?: [^ .]+){0,4}? "
        r"(?:<TARGET_RU>|вне [^ .]+|<MESSENGER_LIST>)(?: (?:и|или|ни) (?:[^ .]+ ){0,2}?<TARGET_RU>)*",
        r"(?:^|\. )(?:никакого|никакой|никакую|никаких|ни в каком|ни в какой|ни через какой)"
        r" (?:[^ .]+ )?(?:<TARGET_RU>|<MESSENGER_LIST>)",
    ),
    default_pattern(
        "someone-else-asked-reported",
        "any",
        Intent.EXEMPT,
        "A past request by someone else told as a warning, up to a turn to an ask of one's own: "
        '"the previous seller wanted me to pay him on Zelle, I reported him", "прошлый магазин предлагал '
        'перевести на карту, я написал в поддержку".',
        r"\b(?:previous|last|former|another|other|some|a|one|an earlier|the other) (?:buyer|customer|client"
        r"|person|seller|shop|store|vendor|guy|man|woman)s? (?:once |already |also |recently |before )?"
        r"(?:asked|wanted|offered|suggested|tried|told|wrote|invited|insisted|demanded)\b"
        r"(?:(?! (?:but|so|instead|please|let s|lets|you can)\b) [^ .]+)*",
        r"\b(?:прошл\w*|предыдущ\w*|прежн\w*|друг(?:ой|ая|ие)|какой ?то|какая ?то|один|одна|некий|некая)"
        r" (?:продав\w*|покупател\w*|магазин\w*|клиент\w*|человек|мужчина|женщина|парень|девушка)"
        r"(?: [^ .]+)? (?:предлагал\w*|просил\w*|хотел\w*|писал\w*|звал\w*|уговаривал\w*|требовал\w*"
        r"|предложил\w*|попросил\w*|потребовал\w*)"
        r"(?:(?! (?:но|а|поэтому|так что|давайте|лучше|пишите|напишите)\b) [^ .]+)*",
    ),
]
