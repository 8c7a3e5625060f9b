"""The default patterns of the closing intents (R-DSP-8): asks to close, cancel or withdraw the
dispute (``close``), the case ended without naming its closing (``ENDED_ANOTHER_WAY``, round 26:
its parts are in ``ending``, and the classifier never overrules it) and something offered on
condition that it ends (``benefit``).

What counts is decided in ``patterns``, which assembles the default set from these, the
off-platform patterns and the exempt scopes (``scopes``, ``goods_scopes``).
"""

from __future__ import annotations

from arbitration.solicitation.ending import ENDING_EN, ENDING_RU
from arbitration.solicitation.fragments import default_pattern
from arbitration.solicitation.intents import Intent

CLOSE = [
    default_pattern(
        "close-dispute-request-en",
        "en",
        Intent.CLOSE,
        'Asks the buyer to close, cancel, withdraw, remove or take back the dispute, claim or case ("please '
        'close the dispute", "remove your claim", "call this off", "pls close, will send 20$", "once '
        "the claim "
        'is gone from my account"); not "do not close" and not "the dispute will be closed".',
        r"<CLOSE_DISPUTE_EN>",
        r"<CLOSE_BARE_EN>",
        r"<CLOSED_BY_YOU_EN>",
        r"\b(?:disput\w*|claim|complaint|case)\b<GAP><NOT_BEFORE_EN>"
        r"(?<!they can )(?<!they will )(?<!they ll )"
        r"\b(?:(?:close|cancel+|cancle|withdraw|withdrawing|revoke|stop|end|finish|drop|remove|retract) it"
        r"|take it (?:back|down|off))\b",
        r"\bcall (?:it|this|that|the whole thing) off\b",
        r"\b(?:disput\w*|claim|complaint|case)\b<GAP>let (?:it|this|that) go\b",
        r"\b(?:disput\w*|claim|complaint|case) (?:close|cancel+|withdraw|remove|drop)(?: (?:it|this))? "
        r"(?:pls|plz|please|now|asap)\b",
        r"\bif (?:the |this |your |that )?<DISPUTE_EN> (?:went away|would go away|disappeared|vanished)\b",
        r"\blet (?:the |this |your |my |our )?(?:disput\w*|claim|case|complaint) go\b",
        r"<NOT_BEFORE_EN>\b(?:mark|set|change|switch|update|put)(?: [^ .]+){0,3}? (?:as|to|into) "
        r"(?:resolved|solved|closed|received|finished|completed|done|cancel+ed)\b",
        r"<SAY_SOLVED_EN>",
        # Round 6: the dispute wished away ("let the claim disappear", "make sure the case is gone").
        r"\blet<DET_EN> <DISPUTE_EN> (?:go away|disappear|vanish|die|be (?:closed|withdrawn|cancel+ed|gone"
        r"|dropped))\b|\bmake (?:sure|it so)(?: that)?<DET_EN> <DISPUTE_EN> (?:disappears|goes away|vanishes"
        r"|is (?:gone|closed|withdrawn|cancel+ed|dropped))\b",
        # Round 6: the whole matter dropped ("drop the whole thing"), the dispute closed as a need.
        r"<NOT_BEFORE_EN>\b(?:drop|forget|bury|let go of|end)(?: about)? (?:the|this|that) whole (?:thing"
        r"|matter|story|affair|business)\b",
        r"\b(?:need|want|would like|d like)(?: (?:is|was))?(?: [^ .]+){0,2}? <DISPUTE_EN> (?:closed|withdrawn"
        r"|cancel+ed|gone|dropped|removed)\b(?! by (?:the )?(?:arbiter|platform|site|support|system))",
        # Round 9: asked not to escalate, the close-equivalent ("please don't escalate, we'll work it out").
        r"(?:^|\. |\b(?:please|pls|plz|kindly|so|just|but) )(?:don t|do not|dont|no need to"
        r"|there s no need to|let s not|lets not)(?: (?:please|pls|plz|really|even))? (?:escalat\w*"
        r"|take (?:it|this) (?:to|further)"
        r"|involve (?:the )?(?:arbiter|arbitration|support|platform))\b",
        # Round 18: the dispute by allusion ("you know which button", "make that red banner on my order
        # go away"), gone as a condition ("the moment my store shows no open claims", "that the
        # complaint not stay open"), kept open no longer ("no need to keep that case running"), and
        # an equation ("close = refund", "refund = closed case").
        r"\byou know (?:which|what) button\b",
        r"\b(?:make|get|let) (?:that|the|this|my|our|your) (?:red |warning |dispute |claim |open )?"
        r"(?:banner|badge|flag|label|mark|notice|warning)\b(?: [^ .]+){0,4}? (?:go away|disappear|vanish)\b",
        r"\b(?:once|when|the moment|as soon as|after|if)(?: [^ .]+){0,5}? (?:no|zero) (?:open|active|pending)"
        r" (?:claims?|disputes?|cases?|complaints?)\b",
        r"\b(?:claim|dispute|case|complaint) (?:does )?not (?:stay|remain) open\b",
        r"\bno need to keep (?:the |that |this |your |my )?(?:case|claim|dispute|complaint|it|this|that)"
        r" (?:open|running|going|active)\b",
        r"\b(?:close|closed|closing|cancel\w*|withdraw\w*|remov\w*)(?: (?:the )?(?:dispute|case|claim))? = "
        r"(?:refund|money|cash|bonus|gift|replacement)\b"
        r"|\b(?:refund|money|cash|bonus|gift|replacement) = (?:close|closed|closing|cancel\w*|withdraw\w*"
        r"|no (?:dispute|case|claim))\b",
        # Round 19 (round 18's misses): the dispute left or made history, gone as a condition, a
        # promise for when it is withdrawn, the buyer needed to cancel, a threat unless withdrawn.
        r"\bleave<DET_EN> <DISPUTE_EN>\b(?! (?:open|as|to|for|with|in|on|until|alone|be|running|active"
        r"|pending|unresolved|and)\b)",
        r"\b<DISPUTE_EN> (?:becomes|is|will be|would be) history\b",
        r"\bif<DET_EN> <DISPUTE_EN> (?:goes away|disappears|vanishes|is gone)\b",
        r"\b(?:as soon as|once|when|after|the moment) (?:it|the (?:case|dispute|claim|complaint)|that)"
        r"(?: is| s| has been| gets| was)? (?:withdrawn|closed|cancel+ed|gone|removed|dropped)\b(?! by\b)"
        r"(?: [^ .]+){0,4}? (?:i|we)(?: ll| will| can)? (?:send|refund|pay|transfer|ship|return)\b",
        r"\bneed you to (?:cancel|close|withdraw|drop|retract)(?=$|\. | (?:it|this|that|the (?:dispute|case"
        r"|claim|complaint))\b)",
        r"\bif you (?:don t|do not|won t|will not) (?:close|cancel|withdraw|drop|retract|remove)\b"
        r"(?: [^ .]+){0,4}? (?:we|i) (?:can t|cannot|can not|won t|will not) (?:help|do|refund|send|pay|ship)"
        r"|\bkeep<DET_EN> <DISPUTE_EN> open and you (?:get|will get|ll get|ll have) nothing\b",
        # Round 20 (round 19's misses): the dispute edited to say all is well, the case no longer on
        # the account as a condition, a close with "or" and a threat, a plea ("would it hurt you to
        # close this?"), the button by allusion.
        r"\b(?:edit|change|update|amend|modify|switch)(?: [^ .]+){0,3}? (?:claim|dispute|case|complaint"
        r"|request)\b(?: [^ .]+){0,3}? (?:to say|saying|to|as|into)\b(?: [^ .]+){0,2}? (?:received|resolved"
        r"|solved|all good|no problems?|satisfied|0|zero)\b",
        r"\b(?:once|when|as soon as|after|if)<DET_EN> <DISPUTE_EN> (?:is|s) no longer (?:on|in|open|active"
        r"|there|visible|showing)\b",
        r"(?:^|\. )(?:close|cancel|withdraw|drop|remove|retract)(?: it| this| that|<DET_EN> <DISPUTE_EN>)? or"
        # Round 26: "or you get nothing" too.
        r" (?:i|we|else|your|you ll|you will|you get|you won t|forget)\b",
        r"\b(?:would it hurt(?: you)?|would it kill you|is it (?:so )?hard|can t you just|why not just)"
        r" (?:to )?(?:close|cancel|withdraw|drop|retract)(?: it| this| that|<DET_EN> <DISPUTE_EN>)?\b",
        r"\byou know what to do with (?:that|the|this|your) (?:[^ .]+ )?button\b",
        # Round 21 (round 20's misses): receipt confirmed so that the dispute closes, the dispute
        # gone as a stated condition, a threat while it stays open.
        r"\bconfirm(?:ing)? (?:the )?(?:receipt|delivery|received)\b(?: [^ .]+){0,4}? so (?:that )?(?:it"
        r"|<DISPUTE_EN>|the (?:dispute|case|claim|complaint)) (?:closes|gets closed|is closed|will close|can"
        r" close|ends|goes away)\b",
        r"\b(?:provided|as long as|on condition|only if)(?: that)?<DET_EN> <DISPUTE_EN> (?:is|gets|has been)"
        r" (?:cancel+ed|closed|withdrawn|dropped|removed)\b",
        r"\b(?:you )?(?:leave|keep)<DET_EN> <DISPUTE_EN> open\b(?: [^ .]+){0,3}? (?:i|we) (?:ll |will )?"
        r"(?:leave|write|post|report|tell|block)\b",
        # Round 22 (round 21's misses): an ultimatum with a deadline ("close it by Friday or I report
        # your account"), the money promised only once the dispute's status says closed.
        r"(?:^|\. )(?:close|cancel|withdraw|drop|remove|retract)(?: it| this| that|<DET_EN> <DISPUTE_EN>)?"
        r"(?: (?:by|before|until) [^ .]+| today| tonight| now| right now| immediately| asap"
        r"| first)+ or (?:i|we|else|your|you get"
        r"|you ll"
        r"|you will)\b",
        r"\b(?:(?:i|we)(?: ll| will| can| could)? (?:refund|pay|send|return|transfer|compensate|give)\w*"
        r"|(?:refund|money|payment|compensation)\w* (?:is|are|will be) (?:possible|available|yours"
        r"|guaranteed))(?: [^ .]+){0,5}? only (?:after|once|when|if)(?: [^ .]+){0,3}? <DISPUTE_EN>"
        r"(?: status)? (?:is|gets|has been|says|shows|becomes) (?:closed|cancel+ed|withdrawn)\b",
        # Round 23 (round 22's misses): a threat far from the ask ("if you don't take back the
        # complaint by tomorrow I will have to leave you a bad review"), a zero refund to accept.
        r"\bif (?:you |u )?(?:don t|do not|dont|won t|will not|refuse to) <CLOSE_EN>(?: it| this| that"
        r"|<DET_EN> <DISPUTE_EN>)\b(?: [^ .]+){0,10}? (?:(?:bad|negative|poor|1 star|one star) (?:review"
        r"|feedback|rating)|black ?list\w*|block (?:you|your)|report (?:you|your))\b",
        r"<NOT_BEFORE_EN>\b(?:accept|agree to|approve|choose|select|confirm)(?: [^ .]+){0,3}? (?:0|zero|nil)"
        r"(?: ?[$€£%]| usd| eur| dollars?)? (?:refund|compensation|amount)\b"
        # Round 24: the sign first ("accept my proposal of $0").
        r"|<NOT_BEFORE_EN>\b(?:accept|agree to|approve)(?: [^ .]+){0,3}? [$€£] ?0\b(?! ?[.,]?\d)",
        # Round 24 (round 23's misses): buyer protection ended, the claim edited to say the item is
        # fine, the money only after receipt is confirmed.
        r"(?:^|\. |\b(?:please|pls|plz|and|just|kindly|so) )(?:end|close|stop|cancel|finish|turn off)"
        r"(?: the| your| this)? (?:buyer s |buyer )?protection\b",
        r"\b(?:edit|change|update|amend|modify)(?: [^ .]+){0,3}? (?:claim|dispute|case|complaint)\b"
        r"(?: [^ .]+){0,2}? (?:to say|saying)(?: [^ .]+){0,4}? (?:is|are|was|were) (?:fine|ok|okay|good"
        r"|working|perfect)\b",
        r"\b(?:i|we)(?: ll| will| can)? (?:refund|pay|send|transfer|compensate)\w*(?: [^ .]+){0,4}? "
        r"(?:but )?(?:first|only after|only once) (?:you )?confirm\w* (?:the )?(?:receipt|delivery)\b",
        # Round 25 (round 24's misses): the refund amount set to zero or a "no refund" solution
        # accepted, the refund request cancelled, "the only condition is you drop the dispute", the
        # claim to be reconsidered, the dispute not to be continued.
        r"<NOT_BEFORE_EN>\b(?:modify|change|set|reduce|lower|edit|update|make|put)(?: [^ .]+){0,4}? "
        r"(?:refund|amount|request|claim|compensation|sum)\w*(?: [^ .]+){0,3}? to (?:0|zero|nil|nothing)"
        r"(?: ?[$€£]| usd| eur| dollars?)?(?=$|\.| (?![.,]?\d))",
        r"<NOT_BEFORE_EN>\b(?:accept|agree(?: to)?|approve|choose|select|pick|take|click"
        r"|tap)(?: [^ .]+){0,3}? no "
        r"(?:refund|compensation|money back|return)\b",
        r"(?:^|\. |\b(?:please|pls|plz|just|kindly|and|so|can you|could you|you can) )(?:cancel+|withdraw"
        r"|revoke|retract|drop|remove) (?:the |your |this |my )?refund(?: request| claim| application)?\b"
        r"(?! (?:is|was|will|has|would|goes|went)\b)",
        r"\b(?:only|one|single|main) condition(?: is)?(?: that)?(?: you)? (?:don t|do not|dont|won t|will not"
        r"|not|stop|never|no longer|drop|close|cancel+|withdraw|end|forget)\b(?: [^ .]+){0,3}? "
        r"<DISPUTE_EN>\b",
        r"(?:^|\. |\b(?:please|pls|plz|just|kindly|so|i d|i would|better|you should) )(?:don t|do not|dont"
        r"|stop|not) (?:continue|continuing|pursue|pursuing|proceed|proceeding|go on)(?: with)?<DET_EN> "
        r"<DISPUTE_EN>\b"
        r"|\b(?:i d|i would|you should|better|please|pls|maybe) (?:reconsider|rethink|think twice about)"
        r"<DET_EN> <DISPUTE_EN>\b",
    ),
    default_pattern(
        "close-dispute-request-ru",
        "ru",
        Intent.CLOSE,
        "Просит закрыть, отменить, отозвать, снять или убрать спор, диспут, претензию, жалобу "
        '("закройте спор", '
        '"уберите претензию", "отзовите заявку на возврат", "закройте плз, 300р скину"); не "спор '
        'будет закрыт" '
        'и не "не закрывайте спор".',
        r"<CLOSE_DISPUTE_RU>",
        r"<CLOSE_BARE_RU>",
        r"\b(?:<DISPUTE_RU>|разбирательств\w*)<GAP><NOT_BEFORE_RU>(?:<CLOSE_RU>|<CLOSE_RU_YOU>)"
        r" (?:н?его|н?ее|это)\b",
        r"\b(?:оформите|нажмите|сделайте|подтвердите|прошу|просим|оформи|сделай)(?: [^ .]+){0,2}? "
        r"(?:закрытие|отмену|отзыв|снятие|аннулирование)(?: [^ .]+)? (?:спора|диспута|претензии|жалобы)\b",
        r"<SAY_SOLVED_RU>",
        # Round 6: the dispute wished away ("пусть жалоба уйдёт", "сделайте так, чтобы спора не было").
        r"\bпусть (?:[^ .]+ )?<DISPUTE_RU> (?:[^ .]+ )?(?:уйдет|исчезнет|пропадет|закроется|отменится"
        r"|будет закрыт\w*|будет снят\w*|будет отозван\w*)",
        r"\b(?:сделайте|сделай|сделаем|сделать)(?: [^ .]+)? (?:так )?чтобы (?:[^ .]+ )?(?:<DISPUTE_RU>"
        r" (?:[^ .]+ )?(?:не было|исчез\w*|пропал\w*|закрыл\w*|ушл\w*|ушел)"
        r"|(?:не было|не стало) <DISPUTE_RU>)",
        # Round 6: hushing it up ("давайте замнём это дело"), the dispute closed as a need.
        r"\b(?:замн\w*|замять|замина\w*) (?:[^ .]+ )?(?:дело|это|спор\w*|вопрос|ситуаци\w*|историю"
        r"|конфликт\w*)\b",
        r"\bнужно,? чтобы (?:[^ .]+ )?<DISPUTE_RU> (?:был\w* )?(?:закрыт\w*|отменен\w*|снят\w*|отозван\w*)",
        # Round 9: asked not to escalate, the close-equivalent ("не надо эскалировать, договоримся").
        r"(?:^|\. |\b(?:пожалуйста|плиз|плз|просто|только|но|давайте) )(?:не (?:надо|нужно|стоит|будем)"
        r"|давайте не(?: будем)?|не) (?:эскалир\w*|передава\w* (?:в|на) арбитраж\w*|переда\w* (?:в|на)"
        r" арбитраж\w*|доводи\w* до (?:арбитраж|поддержк|администрац|модерат)\w*|привлека\w* (?:арбитр\w*"
        r"|поддержк\w*)|(?:подключа|впутыва|вмешива)\w* (?:поддержк|арбитр|администрац|модерат"
        r"|площадк|платформ)\w*)",
        # Round 16: the same, object first ("Поддержку не подключайте, мы сами всё уладим").
        r"(?:^|\. )(?:поддержку|арбитраж|арбитра|администрацию|модератора|площадку) не (?:подключайте"
        r"|привлекайте|впутывайте|зовите|вмешивайте|беспокойте|дергайте)\b",
        # Round 9: a bare close with a politeness word, then a reason of its own ("закройте плз, всё
        # получили"): the politeness word marks the ask, the next clause has its own subject.
        r"(?:^|\. )(?:<CLOSE_RU>|<CLOSE_RU_YOU>) (?:пожалуйста|плиз|плз|пжл\w*|пж)"
        r"(?= (?:посылк\w*|заказ\w*|товар\w*|все|вс[её]|деньги|трек\w*|он|она|оно|они|ведь|раз|потому"
        r"|так как|т к|уже|мы|я|вы|ну)\b)",
        # Round 18: the process stopped "со своей стороны", no open disputes left as a condition,
        # the complaint not left hanging, no need to keep it open, closed "с вашей стороны", the
        # banner or the button by allusion, the refund after the cancellation as a whole message,
        # and an equation ("Отзыв = возврат").
        r"\b(?:остановите|приостановите|прекратите|заморозьте) (?:этот |весь )?процесс (?:со своей|с вашей)"
        r" стороны\b",
        r"\b(?:когда|как только|если|после того как)(?: [^ .]+){0,4}? не (?:останется|будет) (?:ни одного )?"
        r"(?:открыт\w*|активн\w*) (?:спор|жалоб|претензи|диспут)\w*",
        r"\bчтобы (?:[^ .]+ )?<DISPUTE_RU>(?: [^ .]+){0,4}? не (?:висел\w*|оставал\w*|был\w* открыт\w*)\b",
        r"\bдержать (?:[^ .]+ )?открыт\w* (?:больше |дальше )?не (?:нужно|надо|стоит)\b"
        r"|\bне (?:нужно|надо|стоит) (?:больше |дальше )?держать (?:[^ .]+ )?открыт\w*",
        r"\b(?:закроется|закроете|будет закрыт\w*) (?:[^ .]+ )?с вашей стороны\b",
        r"\bчтобы (?:красн\w* )?(?:плашк|метк|пометк|отметк|значок|значк|баннер)\w*(?: [^ .]+){0,3}? "
        r"(?:исчезл\w*|пропал\w*|ушл\w*|убрал\w*)"
        r"|\b(?:вы|ты|сами) знаете (?:на )?как(?:ая|ую|ой) кнопк\w*",
        r"(?:^|\. )(?:полный |весь )?возврат (?:денег |средств )?(?:только |сразу )?после (?:отмены|закрытия"
        r"|снятия|отзыва)(?: (?:спора|жалобы|претензии|диспута))?(?=$|\. | ок\b| окей\b| иначе\b)",
        r"(?:^|\. )(?:отзыв|отмена|закрытие|снятие)(?: (?:спора|жалобы|претензии|диспута))? = "
        r"(?:возврат|деньги|компенсаци\w*|бонус|подарок|замена)\b"
        r"|\b(?:возврат|деньги|компенсаци\w*|бонус|подарок|замена) = (?:отзыв|отмена|закрытие|снятие)\b",
        # Round 19 (round 18's misses): "продавец платит — покупатель закрывает" as the custom, the
        # price of the dispute's absence, waiting for the withdrawal, "вы ещё не закрыли?", a
        # threat unless withdrawn, the outcome switched to "товар получен".
        r"\b(?:продавец|мы|я) (?:платит|платим|плачу|возвращает|возвращаем|возвращаю|переводит|переводим"
        r"|перевожу)\b(?: [^ .]+){0,3}? покупатель (?:закрывает|отзывает|снимает|отменяет)\b"
        r"|\bпокупатель (?:закрывает|отзывает|снимает|отменяет)(?: [^ .]+){0,2}? (?:мы|я|продавец)"
        r" (?:платит|платим|плачу|возвращ\w*|перевод\w*|перевожу|переведу|переведем|верну|вернем|скину"
        r"|скинем)\b",
        r"\b(?:сколько|что) (?:вы |ты )?(?:хотите|хочешь|нужно|надо|возьмете|возьмешь)(?: [^ .]+){0,2}? чтобы"
        r" (?:этого |этой |вашего |вашей |этот |эта )?<DISPUTE_RU> не (?:было|стало)",
        r"\bжду (?:когда|пока) (?:вы |ты )?(?:отзов|закро|отмен|сним|убер|удал)\w*\b"
        r"(?! (?:заказ|покупк|оплат|доставк|бронь|подписк)\w*)"
        # Round 20: the dispute as the subject ("жду, когда спор исчезнет").
        r"|\bжду (?:когда|пока) (?:[^ .]+ )?<DISPUTE_RU> (?:исчезнет|пропадет|закроется|уйдет|отменится"
        r"|будет закрыт\w*|будет отозван\w*|будет снят\w*)",
        r"\b(?:вы|ты) (?:еще |так и |до сих пор )?не (?:закрыли|закрыл|закрыла|отозвали|отозвал|отменили"
        r"|сняли)(?: (?:спор|претензию|жалобу|диспут|ее|его))?(?=$|\. )",
        r"\bесли (?:вы |ты )?не (?:отзов|закро|отмен|сним|убер)\w*(?: [^ .]+){0,2}? (?:мы|я) (?:ничем|ничего"
        r"|никак)\b",
        # Round 20 (round 19's misses): a threat with a blacklist or a block, the refund amount set
        # to zero in the dispute.
        r"\bесли (?:вы |ты )?(?:[^ .]+ )?не (?:отзов|закро|отмен|сним|убер)\w*\b(?: [^ .]+){0,4}? (?:внес\w*"
        r"|занес\w*|заблокир\w*|пожалуюсь|ничего|ничем|никак|больше не|черн\w* спис\w*)",
        r"\b(?:измените|поменяйте|смените|поставьте|исправьте|уменьшите)(?: [^ .]+){0,4}? (?:сумм\w*"
        r"|возврат\w*)(?: [^ .]+){0,3}? на (?:0|ноль|нуль)\b",
        # Round 21 (round 20's misses): receipt confirmed so that the dispute closes, a threat
        # unless the dispute disappears, "спор закрыл быстро, иначе …", "Отказ от спора = скидка".
        r"\bподтвердите (?:получение|доставку)(?: [^ .]+){0,3}? чтобы (?:он |она |оно |<DISPUTE_RU> |все"
        r" |вс[её] )?(?:закрыл\w*|ушл\w*|ушел|исчез\w*|пропал\w*)",
        r"\bесли (?:[^ .]+ ){0,2}?<DISPUTE_RU> (?:[^ .]+ ){0,2}?не (?:исчезнет|пропадет|закроется|уйдет"
        r"|будет закрыт\w*|отменится)",
        r"\b<DISPUTE_RU> (?:закрыл|отозвал|снял|отменил)\w*(?: [^ .]+)? иначе\b",
        r"\bотказ от (?:спора|жалобы|претензии|диспута) = ",
        r"\b(?:поменяйте|измените|смените|поставьте|выберите|отметьте|переключите)(?: [^ .]+){0,4}? (?:на )?"
        r"(?:товар получен|претензий нет|проблема решена|вопрос решен)\b",
        # Round 22 (round 21's misses): the money promised only once the dispute is closed
        # ("полный возврат сделаю, но только после того, как спор будет закрыт").
        r"\b(?:сделаю|сделаем|верну|вернем|переведу|переведем|отправлю|отправим|вышлю|вышлем|заплачу"
        r"|заплатим|компенсирую|компенсируем)(?: [^ .]+){0,4}? только (?:после|когда|если)(?: того)?"
        r"(?: как)?(?: [^ .]+){0,2}? <DISPUTE_RU> (?:будет )?(?:закрыт|отменен|снят|отозван)\w*",
        # Round 23 (round 22's misses): a threat far from the ask, to the reader ("если не снимете
        # спор, поставлю вам плохой отзыв и занесу в чёрный список"), a zero refund to accept.
        r"\bесли (?:вы |ты )?(?:[^ .]+ )?не (?:отзов|закро|отмен|сним|убер)\w*(?:те|шь)\b(?: [^ .]+){0,9}?"
        r" (?:внес\w*|занес\w*|заблокир\w*|пожалуюсь|черн\w* спис\w*|мошенни\w*|лишит\w*|(?:плох|негативн"
        r"|отрицательн)\w*"
        r" отзыв\w*)",
        r"<NOT_BEFORE_RU>\b(?:примите|принять|согласитесь|соглашайтесь|подтвердите|выберите)"
        r"(?: [^ .]+){0,3}? (?:(?:возврат\w*|компенсаци\w*|сумм\w*) (?:в )?(?:0|ноль|нуль)\b"
        r"|нулев\w* (?:возврат|сумм|компенсаци)\w*)",
        # Round 24 (round 23's misses): buyer protection ended, the money only after receipt is
        # confirmed ("переведу, но сначала подтвердите получение").
        r"<NOT_BEFORE_RU>\b(?:завершите|закройте|отмените|отключите|прекратите|заверши|закрой|отключи)"
        r"(?: [^ .]+)? защит[уы]\b|\bснимите (?:[^ .]+ )?защиту покупател\w*",
        r"\b(?:переведу|верну|скину|отправлю|заплачу|компенсирую|переведем|вернем|скинем|отправим|заплатим)"
        r"(?: [^ .]+){0,4}? (?:сначала|только после|после того как|как только) (?:[^ .]+ )?подтверд\w*"
        r" (?:получени|доставк)\w*",
        # Round 25 (round 24's misses): the refund cancelled ("Отмените возврат средств"), the claim
        # to be thought over, the status chosen in the app ("выберите вариант «решено с продавцом»").
        r"(?:^|\. |\b(?:пожалуйста|плиз|плз|просто|и|вы|давайте|можете|можно|если|когда"
        r"|как только) )(?:отмените"
        r"|отзовите"
        r"|снимите|закройте|отмени|отзови|сними|отменить|отозвать|снять)(?: (?:заявк\w*|запрос\w*)"
        r"(?: на)?)? возврат\w*(?: (?:средств|денег|оплаты))?\b",
        r"\b(?:подумайте|подумай|передумайте)(?: [^ .]+){0,2}? (?:над|о|об) "
        r"(?:своей |вашей |этой |своем |вашем |этом )?(?:претензи|жалоб|спор|диспут)\w*",
        r"\b(?:выберите|отметьте|нажмите|поставьте|укажите|выбери|отметь|нажми)(?: [^ .]+){0,2}?"
        r" (?:решено|решен|урегулировано|урегулирован|претензий нет)(?: с продавцом)?\b",
    ),
]

# Round 26 (round 25's misses): the case ended without naming its closing (``ending``). Patterns of
# their own, which the classifier never overrules (``patterns.NEVER_OVERRULED``).
ENDED_ANOTHER_WAY = [
    default_pattern(
        "case-ended-another-way-en",
        "en",
        Intent.CLOSE,
        "Asks the buyer to end the case without naming its closing: let the protection run out, leave the "
        "platform unanswered or answer it for the seller, confirm receipt early, give up the refund, rewrite "
        'the claim ("don\'t extend the protection", "press received, it\'s on the way").',
        *ENDING_EN,
    ),
    default_pattern(
        "case-ended-another-way-ru",
        "ru",
        Intent.CLOSE,
        "Просит закончить дело, не называя закрытия: дать защите истечь, не отвечать площадке или ответить "
        "за продавца, подтвердить получение заранее, отказаться от возврата, переписать претензию "
        '("не продлевайте защиту", "нажмите «я получил», иначе деньги зависнут").',
        *ENDING_RU,
    ),
]

BENEFIT = [
    default_pattern(
        "discount-for-closing",
        "any",
        Intent.BENEFIT,
        "Something offered for closing the dispute, in either order: a gift, a replacement, an extra item, a "
        'discount, money ("you cancel, i send 2 more", "drop the complaint and next order is on the house", '
        '"подарим набор, если спор исчезнет", "за отмену диспута — сертификат").',
        r"(?:<CLOSE_DISPUTE_EN>|<CLOSE_BARE_EN>|<CLOSED_BY_YOU_EN>|<CLOSED_COND_EN>)<GAP><BENEFIT_EN>",
        r"(?:\b|(?=[$€£]))<BENEFIT_EN><GAP>(?:<CLOSE_DISPUTE_EN>|<CLOSED_BY_YOU_EN>"
        r"|\b(?:if|once|when|as soon as) "
        r"(?:you )?(?:<CLOSE_EN>|let) (?:it|this)\b|\bfor (?:closing|cancel\w*|withdraw\w*)\b"
        r"|<CLOSED_COND_EN>)",
        r"(?:<CLOSE_DISPUTE_RU>|<CLOSE_BARE_RU>|<CLOSING_NOUN_RU>|<CLOSED_IF_RU>)<GAP><BENEFIT_RU>",
        r"\b<BENEFIT_RU><GAP>(?:<CLOSE_DISPUTE_RU>|<CLOSE_BARE_RU>|<CLOSING_NOUN_RU>|<CLOSED_IF_RU>)",
        r"(?:^|\. )<CLOSE_RU_YOU>(?: [^ .]+){0,6}? <BENEFIT_RU>",
        # Round 9: an amount for the closing noun alone, the EN "5 euro for closing" ("500р за закрытие").
        r"\b<BENEFIT_RU> (?:[^ .]+ )?за (?:закрытие|отмену|снятие)\b"
        r"(?! (?:заказ\w*|доставк\w*|брон\w*|подписк\w*|счет\w*|карт\w*|аккаунт\w*|товар\w*|покупк\w*))",
        # Round 23 (round 22's misses): a made-up rule, the benefit for buyers who close ("we give
        # a 20$ bonus to buyers who close the dispute within 24 hours"), in either order.
        r"\b<BENEFIT_EN>(?: [^ .]+){0,4}? (?:to|for) (?:all |every |any |our )?(?:buyers?|customers?|clients?"
        r"|those|anyone|everyone|people|users?)(?: who| that)? <CLOSING_VERB_EN>\w*<DET_EN> <DISPUTE_EN>",
        r"\b(?:buyers?|customers?|clients?|those|anyone|everyone|people|users?) (?:who|that)"
        r" <CLOSING_VERB_EN>\w*<DET_EN> <DISPUTE_EN>\b(?: [^ .]+){0,6}? (?:get|gets|receive|receives"
        r"|are given|will get|qualify|earn|earns|are entitled|is entitled)\b(?: [^ .]+){0,3}? <BENEFIT_EN>",
        r"\b<BENEFIT_RU>(?: [^ .]+){0,4}? (?:покупател\w*|клиент\w*|тем|всем|тех)(?: [^ .]+)?"
        r" <WHO_CLOSES_RU>",
        # Round 24 (round 23's misses): receipt confirmed or the refund given up, then a benefit in
        # the same sentence ("подтвердите, что всё получили, а недостающее я дошлю").
        # Round 25: also asked as a question, the benefit in the next sentence ("Можете подтвердить
        # получение? Тогда доложу винты"), and "confirm received" ("… your money I return separately").
        r"\b(?:подтвердите|подтверди|подтвердить)(?: [^ .]+){0,3}? (?:получени\w*|получил\w*|доставк\w*)"
        r"(?:\.? [^ .]+){0,8}? <STRONG_BENEFIT_RU>",
        r"\b(?:confirm(?:ing)?|press|click|tap|hit|mark) (?:the )?(?:receipt|received|delivery|delivered"
        r"|you (?:got"
        r"|received))\b"
        r"(?:\.? [^ .]+){0,8}? <STRONG_BENEFIT_EN>",
        r"\b(?:откажитесь|отказываетесь|откажетесь|отказаться) от (?:возврат|компенсаци|денег)\w*"
        r"(?: [^ .]+){0,8}? <STRONG_BENEFIT_RU>"
        r"|\b(?:give up|waive|drop|forget)(?: the| your)? (?:refund|compensation)\b"
        r"(?: [^ .]+){0,8}? <STRONG_BENEFIT_EN>",
        r"\b(?:покупател\w*|клиент\w*|те|все) <WHO_CLOSES_RU>(?: [^ .]+){0,6}? (?:получа\w*|получ\w*|да[её]м"
        r"|дадим|положен\w*|начисл\w*|поступ\w*)(?: [^ .]+){0,3}? <BENEFIT_RU>",
    ),
]
