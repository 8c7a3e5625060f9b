"""The default off-platform solicitation patterns (R-DSP-8), measured on the labelled corpus.

The data is copied from ``arbitration.solicitation.DEFAULT_PATTERNS`` at the time of writing and
frozen here, so later edits to the module (or by staff, in the admin) never change what this
migration does. ``tests/arbitration/test_solicitation.py`` checks the two still agree; when the
default set changes, add a new data migration rather than editing this one.

Patterns are Python regular expressions, matched case-insensitively on
``arbitration.solicitation.normalize(text)``.
"""

from django.db import migrations

PATTERNS = [
    {
        "name": "close-dispute-request-en",
        "language": "en",
        "description": 'Asks the buyer to close, cancel or withdraw the dispute, claim or case ("please close the dispute", "cancel dispute", "withdraw it", "mark the dispute as resolved"); not "do not close" and not "the dispute will be closed".',
        "pattern": r"(?<!not )(?<! t )(?<!dont )(?<!never )(?<!cannot )(?<!no need to )\b(?:close|clos|closing|cancel+|cancle|cansel|cancel+ing|withdraw|withdrawing|revoke|retract|end|finish|stop|drop|remove|delete|terminate|abandon|take back|call off|pull back|give up(?: on)?)(?: (?:the|this|that|your|ur|my|our|a|an|open|opened|current))* (?:disput\w*|dispiut\w*|claims?|case|complaint|(?:refund|return) request)\b|\b(?:disput\w*|claim|complaint)\b.{0,80}?(?<!not )(?<! t )(?<!dont )(?<!never )(?<!cannot )(?<!no need to )\b(?:close|cancel+|cancle|withdraw|withdrawing|revoke|stop|end|finish|drop|remove|retract) it\b|\b(?:mark|set|change|switch|update|put)(?: [^ .]+){0,3}? (?:disput\w*|dispiut\w*|claims?|case|complaint|(?:refund|return) request)(?: status)? (?:as|to|into) (?:resolved|solved|closed|received|finished|completed|done|cancel+ed)\b|\blet (?:the |this |your |my |our )?(?:disput\w*|claim|case|complaint) go\b",
    },
    {
        "name": "close-dispute-request-ru",
        "language": "ru",
        "description": 'Просит закрыть, отменить, отозвать или снять спор, диспут, претензию ("закройте спор", "отмените диспут", "чтобы вы закрыли спор", "оформите закрытие спора"); не "спор будет закрыт" и не "не закрывайте спор".',
        "pattern": r"(?<!не )(?<!нельзя )(?<!не можем )(?<!не могу )(?<!не может )(?<!не нужно )(?<!не надо )(?<!не стоит )\b(?:закройте|закрой|закрыть|закрывайте|закрывай|отмените|отмени|отменить|отменяйте|отзовите|отзови|отозвать|снимите|сними|снять|завершите|заверши|завершить|аннулируйте|аннулируй|аннулировать|откажитесь от|отказаться от) (?:[^ .]+ ){0,2}?(?:спор\w*|диспут\w*|претензи\w*|жалоб\w*)|\b(?:вы|чтобы|чтоб|если|когда) (?:[^ .]+ ){0,2}?(?:закроете|закроешь|закрыли|закрыла|закрываете|отмените|отменяете|отменили|отзовете|отзываете|отозвали|снимете|снимаете|отзовешь|аннулируете) (?:[^ .]+ ){0,2}?(?:спор\w*|диспут\w*|претензи\w*|жалоб\w*)|\b(?:спор\w*|диспут\w*|претензи\w*|жалоб\w*) (?:[^ .]+ ){0,4}?(?<!не )(?<!нельзя )(?<!не можем )(?<!не могу )(?<!не может )(?<!не нужно )(?<!не надо )(?<!не стоит )(?:закройте|закрой|закрывайте|закрываете|отмените|отмени|отзовите|снимите|завершите|аннулируйте)\b|\b(?:спор\w*|диспут\w*|претензи\w*|жалоб\w*).{0,80}?(?<!не )(?<!нельзя )(?<!не можем )(?<!не могу )(?<!не может )(?<!не нужно )(?<!не надо )(?<!не стоит )\b(?:закройте|закрой|закрыть|закрывайте|закрывай|отмените|отмени|отменить|отменяйте|отзовите|отзови|отозвать|снимите|сними|снять|завершите|заверши|завершить|аннулируйте|аннулируй|аннулировать|откажитесь от|отказаться от) (?:его|ее|это)\b|\b(?:оформите|нажмите|сделайте|подтвердите|прошу|просим|оформи|сделай)(?: [^ .]+){0,2}? (?:закрытие|отмену|отзыв|снятие|аннулирование)(?: [^ .]+)? (?:спора|диспута|претензии|жалобы)\b",
    },
    {
        "name": "discount-for-closing",
        "language": "any",
        "description": 'A discount, coupon, gift, bonus or compensation offered for closing the dispute ("20% discount if you close the dispute", "close the dispute, we send you a gift", "30% скидки, но чтобы вы закрыли спор").',
        "pattern": r"^(?=.*?(?:discount\w*|bonus\w*|coupon\w*|gift\w*|cash ?back|reward\w*|store credit|\b\d+ ?% off|\b\d+ ?%|compensat\w*|free (?:item|product|goods|one)\w*)).*?(?<!not )(?<! t )(?<!dont )(?<!never )(?<!cannot )(?<!no need to )\b(?:close|clos|closing|cancel+|cancle|cansel|cancel+ing|withdraw|withdrawing|revoke|retract|end|finish|stop|drop|remove|delete|terminate|abandon|take back|call off|pull back|give up(?: on)?)(?: (?:the|this|that|your|ur|my|our|a|an|open|opened|current))* (?:disput\w*|dispiut\w*|claims?|case|complaint|(?:refund|return) request)\b|^(?=.*?(?:скидк\w*|бонус\w*|купон\w*|промокод\w*|подар\w*|к[эе]шб[эе]к\w*|компенсац\w*|\b\d+ ?%)).*?(?<!не )(?<!нельзя )(?<!не можем )(?<!не могу )(?<!не может )(?<!не нужно )(?<!не надо )(?<!не стоит )\b(?:(?:закройте|закрой|закрыть|закрывайте|закрывай|отмените|отмени|отменить|отменяйте|отзовите|отзови|отозвать|снимите|сними|снять|завершите|заверши|завершить|аннулируйте|аннулируй|аннулировать|откажитесь от|отказаться от)|(?:закроете|закроешь|закрыли|закрыла|закрываете|отмените|отменяете|отменили|отзовете|отзываете|отозвали|снимете|снимаете|отзовешь|аннулируете)) (?:[^ .]+ ){0,2}?(?:спор\w*|диспут\w*|претензи\w*|жалоб\w*)",
    },
    {
        "name": "money-offer-en",
        "language": "en",
        "description": 'The seller offers to send money himself to a card, bank account, PayPal or e-wallet ("I will refund you to your PayPal", "we can send the money to your bank card").',
        "pattern": r"(?:^|\. )(?:(?!\b(?:never|no one|nobody|(?:do not|don t|dont|cannot|can t|won t|will not) (?:ever )?(?:ask|pay|send|transfer|contact|write|use|trust|share|give|accept|move|go|refund|answer|reply)|никогда|не (?:просим|пишите|переводим|переводите|отправляем|можем|пишем|общаемся|платите|оплачивайте|сообщайте|давайте|доверяйте|переходите))\b)[^.])*?\b(?:i|we)(?: ll| will| can| could| would| shall| may| am going to| are going to)?(?: (?!never|not|cannot|can t|don t|won t)\w+)? (?:send|sent|refund|transfer|pay|return|give|compensate|wire|put|add)\w*\b[^.]{0,60}?\b(?:(?:p[ae]y ?p[ae]l|п[еэа]й ?п[аэе]л)|qiwi|(?:на|через|по|в) киви\b|киви ?кошел\w*|кошел\w* киви|номер киви|yoo ?money|ю ?money|ю ?мани|yandex ?money|яндекс ?деньг\w*|яндекс ?кошел\w*|web ?money|вебмани|\bwm[zr]\b|western ?union|вестерн ?юнион|money ?gram|мани ?грам|skrill|скрилл?\b|neteller|нетеллер|payoneer|пайонир|zelle|venmo|cash ?app|revolut|bitcoin|\bbtc\b|\busdt\b|crypto\w*|binance|биткоин\w*|крипт\w*|бинанс\w*|wise|we ?chat|(?:bank |credit |debit |visa |master ?card )?card\b(?! reader)|bank account|bank transfer|account number|e ?wallet|wallet|iban)(?!(?: \S+){0,3} (?:through|via|by|in|on|через|на|в) (?:the )?(?:platform|aliexpress|marketplace|dispute|system|order|площадк\w*|платформ\w*|спор\w*|систем\w*|заказ\w*))",
    },
    {
        "name": "money-offer-ru",
        "language": "ru",
        "description": 'Продавец сам предлагает перевести деньги на карту, кошелёк, PayPal, телефон ("переведу на карту сбера", "верну на пейпал", "на сбер переведу").',
        "pattern": r"(?:^|\. )(?:(?!\b(?:never|no one|nobody|(?:do not|don t|dont|cannot|can t|won t|will not) (?:ever )?(?:ask|pay|send|transfer|contact|write|use|trust|share|give|accept|move|go|refund|answer|reply)|никогда|не (?:просим|пишите|переводим|переводите|отправляем|можем|пишем|общаемся|платите|оплачивайте|сообщайте|давайте|доверяйте|переходите))\b)[^.])*?(?<!не )(?<!нельзя )(?<!не можем )(?<!не могу )(?<!не может )(?<!не нужно )(?<!не надо )(?<!не стоит )\b(?:верну|вернем|переведу|переведем|отправлю|отправим|вышлю|вышлем|скину|скинем|кину|кинем|перечислю|предлагаю|предлагаем|перечислим|компенсирую|компенсируем|заплачу|заплатим|выплачу|выплатим|пришлю|пришлем|возмещу|возместим|(?:могу|можем|готов\w*|хочу|хотим) (?:\S+ ){0,2}?(?:вернуть|перевести|отправить|выслать|скинуть|перечислить|компенсировать|выплатить|заплатить|возместить))\b[^.]{0,60}?(?:на|через|по|в) (?:[^ .]+ ){0,2}?(?:карт(?:у|е|ы|очку)\b|кошел\w*|кошельк\w*|(?:p[ae]y ?p[ae]l|п[еэа]й ?п[аэе]л)|qiwi|(?:на|через|по|в) киви\b|киви ?кошел\w*|кошел\w* киви|номер киви|yoo ?money|ю ?money|ю ?мани|yandex ?money|яндекс ?деньг\w*|яндекс ?кошел\w*|web ?money|вебмани|\bwm[zr]\b|western ?union|вестерн ?юнион|money ?gram|мани ?грам|skrill|скрилл?\b|neteller|нетеллер|payoneer|пайонир|zelle|venmo|cash ?app|revolut|bitcoin|\bbtc\b|\busdt\b|crypto\w*|binance|биткоин\w*|крипт\w*|бинанс\w*|киви|сбер\w*|тинькофф\w*|тиньков\w*|tinkoff|т банк\w*|\bсбп\b|быстрых платежей|телефон\b|счет\b)(?!(?: \S+){0,3} (?:through|via|by|in|on|через|на|в) (?:the )?(?:platform|aliexpress|marketplace|dispute|system|order|площадк\w*|платформ\w*|спор\w*|систем\w*|заказ\w*))|(?:на|через) (?:[^ .]+ ){0,2}?(?:карт(?:у|е|ы|очку)\b|кошел\w*|кошельк\w*|(?:p[ae]y ?p[ae]l|п[еэа]й ?п[аэе]л)|qiwi|(?:на|через|по|в) киви\b|киви ?кошел\w*|кошел\w* киви|номер киви|yoo ?money|ю ?money|ю ?мани|yandex ?money|яндекс ?деньг\w*|яндекс ?кошел\w*|web ?money|вебмани|\bwm[zr]\b|western ?union|вестерн ?юнион|money ?gram|мани ?грам|skrill|скрилл?\b|neteller|нетеллер|payoneer|пайонир|zelle|venmo|cash ?app|revolut|bitcoin|\bbtc\b|\busdt\b|crypto\w*|binance|биткоин\w*|крипт\w*|бинанс\w*|киви|сбер\w*|тинькофф\w*|тиньков\w*|tinkoff|т банк\w*|\bсбп\b|быстрых платежей|телефон\b|счет\b)[^.]{0,30}?\b(?:верну|вернем|переведу|переведем|отправлю|отправим|вышлю|вышлем|скину|скинем|кину|кинем|перечислю|предлагаю|предлагаем|перечислим|компенсирую|компенсируем|заплачу|заплатим|выплачу|выплатим|пришлю|пришлем|возмещу|возместим|(?:могу|можем|готов\w*|хочу|хотим) (?:\S+ ){0,2}?(?:вернуть|перевести|отправить|выслать|скинуть|перечислить|компенсировать|выплатить|заплатить|возместить))\b",
    },
    {
        "name": "paypal",
        "language": "any",
        "description": 'PayPal named as the way to pay or refund, or the buyer\'s PayPal details asked for ("refund by PayPal", "your paypal email", "PayPal is faster", "через пейпал"); not "you paid with PayPal".',
        "pattern": r"(?:^|\. )(?:(?!\b(?:never|no one|nobody|(?:do not|don t|dont|cannot|can t|won t|will not) (?:ever )?(?:ask|pay|send|transfer|contact|write|use|trust|share|give|accept|move|go|refund|answer|reply)|никогда|не (?:просим|пишите|переводим|переводите|отправляем|можем|пишем|общаемся|платите|оплачивайте|сообщайте|давайте|доверяйте|переходите))\b)[^.])*?(?:(?<!paid )(?<!pay )(?<!paying )(?<!оплачивали )(?<!оплатили )(?<!платили )\b(?:by|via|through|using|over|через|по) (?:your |my |ваш \S+ )?(?:p[ae]y ?p[ae]l|п[еэа]й ?п[аэе]л)|(?:p[ae]y ?p[ae]l|п[еэа]й ?п[аэе]л) (?:email|e mail|account|acc|address|id|почт\w*|аккаунт\w*|адрес\w*)\b|(?:p[ae]y ?p[ae]l|п[еэа]й ?п[аэе]л) (?:is )?(?:\S+ )?(?:faster|quicker|better|easier|быстрее|удобнее|быстрый)|\b(?:we|i)(?: ll| will| can)? (?:p[ae]y ?p[ae]l|п[еэа]й ?п[аэе]л) you\b|(?:p[ae]y ?p[ae]l|п[еэа]й ?п[аэе]л) (?:refund|transfer|payment)\b)",
    },
    {
        "name": "e-wallet-or-money-transfer",
        "language": "any",
        "description": "A payment channel the platform never uses: Qiwi, YooMoney/Яндекс.Деньги, WebMoney, Western Union, MoneyGram, Skrill, Neteller, Payoneer, Wise, Zelle, Venmo, Cash App, crypto.",
        "pattern": r"(?:^|\. )(?:(?!\b(?:never|no one|nobody|(?:do not|don t|dont|cannot|can t|won t|will not) (?:ever )?(?:ask|pay|send|transfer|contact|write|use|trust|share|give|accept|move|go|refund|answer|reply)|никогда|не (?:просим|пишите|переводим|переводите|отправляем|можем|пишем|общаемся|платите|оплачивайте|сообщайте|давайте|доверяйте|переходите))\b)[^.])*?(?:qiwi|(?:на|через|по|в) киви\b|киви ?кошел\w*|кошел\w* киви|номер киви|yoo ?money|ю ?money|ю ?мани|yandex ?money|яндекс ?деньг\w*|яндекс ?кошел\w*|web ?money|вебмани|\bwm[zr]\b|western ?union|вестерн ?юнион|money ?gram|мани ?грам|skrill|скрилл?\b|neteller|нетеллер|payoneer|пайонир|zelle|venmo|cash ?app|revolut|bitcoin|\bbtc\b|\busdt\b|crypto\w*|binance|биткоин\w*|крипт\w*|бинанс\w*|(?:via|by|through|with|on|using) wise\b|wise (?:transfer|account|email))",
    },
    {
        "name": "card-or-account-details-request",
        "language": "any",
        "description": 'Asks for the buyer\'s card, account or wallet number, or gives a card number ("send me your card number", "скиньте номер карты", "номер кошелька", "реквизиты").',
        "pattern": r"(?:^|\. )(?:(?!\b(?:never|no one|nobody|(?:do not|don t|dont|cannot|can t|won t|will not) (?:ever )?(?:ask|pay|send|transfer|contact|write|use|trust|share|give|accept|move|go|refund|answer|reply)|никогда|не (?:просим|пишите|переводим|переводите|отправляем|можем|пишем|общаемся|платите|оплачивайте|сообщайте|давайте|доверяйте|переходите))\b)[^.])*?(?:card number|card details|16 digits|account number|\biban\b|wallet (?:number|id|address)|номер\w* (?:\S+ )?(?:карт\w*|кошел\w*|кошельк\w*|счета)|реквизит\w*|номер телефона привязан\w*|\b(?:give|send|tell|write|share|provide|leave|text)(?: me| us)? (?:your|ur) (?:\S+ ){0,2}?(?:card|bank account|account(?: number| details)?|wallet|(?:p[ae]y ?p[ae]l|п[еэа]й ?п[аэе]л))\b|\b(?:скиньте|скинь|дайте|дай|пришлите|пришли|напишите|отправьте|подскажите|сообщите|оставьте|укажите) (?:мне |нам )?(?:[^ .]+ ){0,2}?(?:карт[уы]\b|кошел\w*|счет\b)|\b(?:\d{4} ?){3}\d{4}\b)",
    },
    {
        "name": "messenger",
        "language": "any",
        "description": 'Moves the conversation to a messenger: WhatsApp/ватсап, Telegram/телеграм/тг, Viber/вайбер, WeChat, Skype/скайп, VK, Instagram, "напишите мне в личку".',
        "pattern": r"(?:^|\. )(?:(?!\b(?:never|no one|nobody|(?:do not|don t|dont|cannot|can t|won t|will not) (?:ever )?(?:ask|pay|send|transfer|contact|write|use|trust|share|give|accept|move|go|refund|answer|reply)|никогда|не (?:просим|пишите|переводим|переводите|отправляем|можем|пишем|общаемся|платите|оплачивайте|сообщайте|давайте|доверяйте|переходите))\b)[^.])*?(?:what ?s ?app|wh?ats ?app|whatsap|в[ао](?:тс|ц|тц|дс)ап\w*|уатсап\w*|уотсап\w*|tele ?gram\w*|телеграм\w*|телег[аеуиой]\b|\bтг\b|\btg @|(?:on|in|via|at|в) (?:tg|wa)\b|\bt me [a-z0-9_]{3,}|viber|вайбер\w*|вибер\w*|we ?chat|вичат\w*|skype|скайп\w*|вконтакте|\bвк\b|\bvk\b|instagram|инстаграм\w*|\b(?:в|на) (?:личку|лс|личные сообщения|директ)\b|\b(?:dm|pm) me\b|private message)",
    },
    {
        "name": "off-platform-contact",
        "language": "any",
        "description": 'Asks for the buyer\'s phone or e-mail, gives an e-mail address, or moves the talk to a phone call or e-mail ("leave your phone number", "call me", "пишите мне на почту", "оставьте номер").',
        "pattern": r"(?:^|\. )(?:(?!\b(?:never|no one|nobody|(?:do not|don t|dont|cannot|can t|won t|will not) (?:ever )?(?:ask|pay|send|transfer|contact|write|use|trust|share|give|accept|move|go|refund|answer|reply)|никогда|не (?:просим|пишите|переводим|переводите|отправляем|можем|пишем|общаемся|платите|оплачивайте|сообщайте|давайте|доверяйте|переходите))\b)[^.])*?(?:(?<![\w.+-])[\w.+-]+@[\w-]+\.[a-z]{2,}|\b(?:give|send|tell|write|share|provide|leave|text)(?: me| us)? (?:your|ur) (?:\S+ ){0,2}?(?:email|e mail|phone number|phone no|mobile number|contacts?)\b|\b(?:call|ring) me\b|\b(?:manager|agent|operator|we) will (?:call|phone|email|e mail|text) you\b|\b(?:email|e mail|write|mail|message|contact)(?: me| us)? (?:at|on|to|via|by) (?:my |our )?(?:email|e mail|gmail|mail)\b|\b(?:скиньте|скинь|дайте|дай|пришлите|пришли|напишите|отправьте|подскажите|сообщите|оставьте|укажите)(?: мне| нам)? (?:[^ .]+ ){0,2}?(?:почт[уы]\b|email|e mail|емейл|имейл|телефон\b|номер\b(?! (?:заказа|трек\w*|отслеживани\w*|посылки|спора)))|\b(?:пишите|напишите|написать|свяжитесь|обращайтесь)(?: мне| нам)? (?:на|по) (?:[^ .]+ )?(?:почт\w*|email|e mail|емейл|имейл|телефону)|\b(?:решим|обсудим|поговорим|договоримся)(?: [^ .]+){0,2}? по телефону|\bпозвоните (?:мне|нам)\b|\bсозвонимся\b|\bнаберите (?:мне|нас)\b)",
    },
    {
        "name": "outside-platform",
        "language": "any",
        "description": 'Settles the refund outside the platform or without arbitration ("outside AliExpress", "no need for the dispute", "settle it between us", "в обход Али", "вне платформы", "без арбитража").',
        "pattern": r"(?:^|\. )(?:(?!\b(?:never|no one|nobody|(?:do not|don t|dont|cannot|can t|won t|will not) (?:ever )?(?:ask|pay|send|transfer|contact|write|use|trust|share|give|accept|move|go|refund|answer|reply)|никогда|не (?:просим|пишите|переводим|переводите|отправляем|можем|пишем|общаемся|платите|оплачивайте|сообщайте|давайте|доверяйте|переходите))\b)[^.])*?(?:outside (?:of )?(?:the )?(?:aliexpress|ali|platform|site|marketplace|system|app)|(?:without|bypass\w*|no need (?:for|of|to wait for)) (?:the |a )?(?:aliexpress|ali|platform|dispute|arbitration|marketplace|site)\b|\b(?:dispute|arbitration|platform) is not (?:necessary|needed)|between us\b|privately|in private|\b(?:in )?(?:an)?other way\b|\b(?:settle|solve|resolve|sort|handle|fix|decide)(?: it| this| everything| the (?:problem|issue|refund|matter))?(?: out)? (?:ourselves|ourself|directly|personally|outside)\b|вне (?:платформ\w*|площадк\w*|сайта|али\w*|системы|приложени\w*)|в обход (?:[^ .]+ )?(?:платформ\w*|площадк\w*|системы|сайта|али\w*|арбитраж\w*)|минуя (?:[^ .]+ )?(?:платформ\w*|площадк\w*|систем\w*|али\w*|арбитраж\w*)|без (?:участия )?(?:алиэкспресс\w*|али\w*|платформ\w*|площадк\w*|арбитраж\w*)|без спора|спор не нуж\w*|между нами|между собой|другим способом|\b(?:решим|решить|договоримся|договориться|разберемся)(?: [^ .]+){0,2}? (?:сами|напрямую)\b)",
    },
    {
        "name": "refund-directly",
        "language": "any",
        "description": 'The seller pays the buyer himself ("refund you directly", "from me personally", "верну деньги напрямую", "вернём лично", "деньги от нас").',
        "pattern": r"(?:^|\. )(?:(?!\b(?:never|no one|nobody|(?:do not|don t|dont|cannot|can t|won t|will not) (?:ever )?(?:ask|pay|send|transfer|contact|write|use|trust|share|give|accept|move|go|refund|answer|reply)|никогда|не (?:просим|пишите|переводим|переводите|отправляем|можем|пишем|общаемся|платите|оплачивайте|сообщайте|давайте|доверяйте|переходите))\b)[^.])*?(?:\b(?:refund|pay|send|return|give|transfer|compensat\w*|money)\w*(?: [^ .]+){0,4}? (?:directly|personally|myself|by myself|from me|from us|privately)\b(?! (?:through|via|by|in|on) (?:the )?(?:platform|aliexpress|dispute|system|order))|\b(?:верну|вернем|переведу|переведем|отправлю|отправим|вышлю|вышлем|скину|скинем|кину|кинем|перечислю|предлагаю|предлагаем|перечислим|компенсирую|компенсируем|заплачу|заплатим|выплачу|выплатим|пришлю|пришлем|возмещу|возместим|(?:могу|можем|готов\w*|хочу|хотим) (?:\S+ ){0,2}?(?:вернуть|перевести|отправить|выслать|скинуть|перечислить|компенсировать|выплатить|заплатить|возместить))\b(?: [^ .]+){0,4}? (?:напрямую|лично|сам|сама|сами)\b|\b(?:деньги|возврат|компенсац\w*)(?: [^ .]+){0,2}? (?:напрямую|от (?:нас|меня))\b|\bот (?:нас|меня) (?:[^ .]+ ){0,2}?деньги)",
    },
]


def create_default_patterns(apps, schema_editor):
    SolicitationPattern = apps.get_model("arbitration", "SolicitationPattern")
    for row in PATTERNS:
        SolicitationPattern.objects.update_or_create(
            name=row["name"],
            defaults={
                "language": row["language"],
                "description": row["description"],
                "pattern": row["pattern"],
                "is_active": True,
            },
        )


def delete_default_patterns(apps, schema_editor):
    SolicitationPattern = apps.get_model("arbitration", "SolicitationPattern")
    SolicitationPattern.objects.filter(name__in=[row["name"] for row in PATTERNS]).delete()


class Migration(migrations.Migration):
    dependencies = [("arbitration", "0001_initial")]

    operations = [migrations.RunPython(create_default_patterns, delete_default_patterns)]
