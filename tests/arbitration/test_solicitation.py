"""R-DSP-8: seller messages that solicit closing the dispute or paying off the platform are flagged.

The default patterns come from the data migrations, so the database tests run against what a
fresh database holds. The labelled sets in ``data/`` were written by hand before the patterns
they measure (``solicitation_holdout_evasion.jsonl`` in its own commit, before issue 17's
detector; ``solicitation_holdout_round2.jsonl`` in its own commit, before round 2's changes;
``solicitation_holdout_round3.jsonl`` in its own commit, before its author read the detector);
see ``arbitration/solicitation/patterns.py`` for what counts. The check sets written after
tuning (``solicitation_check_*.jsonl``) are measured by ``bench/solicitation_eval.py`` only: they
are estimates, not targets to tune to.
"""

from __future__ import annotations

import importlib
import json
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from arbitration import services
from arbitration.models import Message, SolicitationPattern
from arbitration.solicitation import (
    DEFAULT_PATTERNS,
    compile_pattern,
    flag_explanations,
    match_patterns,
    normalize,
    text_variants,
    transliterate,
    validate_pattern,
)
from arbitration.solicitation.detector import find_solicitation
from tests.arbitration.conftest import OPENED, at, open_dispute

DATA = Path(__file__).parent / "data"
LABELLED = [
    "solicitation_corpus.jsonl",
    "solicitation_holdout.jsonl",
    "solicitation_holdout_evasion.jsonl",
    "solicitation_holdout_round2.jsonl",
    "solicitation_holdout_round3.jsonl",
]


def load(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def flagged(text: str) -> bool:
    return bool(match_patterns(text, DEFAULT_PATTERNS))


def intents(text: str) -> set[str]:
    return {flag["intent"] for flag in match_patterns(text, DEFAULT_PATTERNS)}


# --- The normalisation step, on its own ----------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "PayPal",
        "p a y p a l",
        "p.a.y.p.a.l",
        "P-A-Y-P-A-L",
        "P@yPal",
        "Payp@l",
        "ＰａｙＰａｌ",
        "pay\u200bpal",
        "PáyPál",
    ],
)
def test_R_DSP_8_normalize_undoes_spacing_symbol_and_width_tricks(written):
    assert normalize(f"send to {written} now") == "send to paypal now"


def test_R_DSP_8_normalize_removes_zero_width_and_bidi_characters():
    hidden = "wh\u200ba\u200dts\u2060a\ufeffpp \u202eclose\u202c the \u2066dispute\u2069 \u200e"
    assert normalize(hidden) == "whatsapp close the dispute"


def test_R_DSP_8_normalize_applies_nfkc():
    assert normalize("ｃｌｏｓｅ ｔｈｅ ｄｉｓｐｕｔｅ ①") == "close the dispute 1"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("\u0440\u0430\u0443pal", "paypal"),  # Cyrillic р, а, у in an English word
        ("\u0421l\u043es\u0435 th\u0435 dis\u0440ut\u0435", "close the dispute"),
        ("t\u0435l\u0435gram", "telegram"),
        ("c\u043fop", "спор"),  # Latin c, o, p around a Cyrillic п: the п shows it is Russian
        ("к\u0061рту", "карту"),  # one Latin a in a Russian word: the majority decides
        ("0тмените", "отмените"),
        ("cl0se", "close"),
        ("п е й п а л", "пейпал"),
    ],
)
def test_R_DSP_8_normalize_reads_look_alike_letters_in_the_word_s_own_script(written, read):
    assert normalize(written) == read


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("PayPaI", "paypal"),  # capital I for l
        ("lnstagram", "instagram"),  # l for capital I
        ("teIegram", "telegram"),
        ("vvechat", "wechat"),  # vv for w
        ("Telegrarn", "telegram"),  # rn for m
        ("d1spute", "dispute"),  # 1 for i
        ("Wh4tsApp", "whatsapp"),
        ("V1BER", "viber"),
    ],
)
def test_R_DSP_8_normalize_folds_look_alikes_to_the_canonical_skeleton_of_watched_names(written, read):
    assert normalize(written) == read


def test_R_DSP_8_normalize_joins_spaced_letters_but_not_across_scripts():
    assert normalize("Пишите в W h a t s A p p") == "пишите в whatsapp"
    assert normalize("Этот говар, а я в пути") == "этот говар а я в пути"


def test_R_DSP_8_normalize_leaves_amounts_numbers_handles_and_emails_alone():
    text = (
        "Refund 30% = 15$ (23.50 USD), call +7 916 123-45-67, track LP00123456789CN, @shop_1, a.b@mail.ru, "
        "500₽"
    )
    assert normalize(text) == (
        "refund 30% = 15$ 23 50 usd call +7 916 123 45 67 track lp00123456789cn @shop_1 a.b@mail.ru 500₽"
    )


def test_R_DSP_8_round18_normalize_reads_digits_of_other_scripts_and_the_dotless_i():
    # Found while fuzzing the prefilter: NFKC leaves "٣" and "ı" alone, so a phone number in
    # Arabic-Indic digits and a "dıspute" walked around patterns written with 0-9 and "i".
    assert normalize("WhatsApp +٤٤ ٧٧٠٠ ٩٠٠١٢٣") == "whatsapp +44 7700 900123"
    assert normalize("итого ५००₽") == "итого 500₽"
    assert normalize("Please close the dıspute") == "please close the dispute"
    assert "off-platform" in intents("пишите +٧ ٩١٦ ١٢٣ ٤٥ ٦٧")
    # A staff pattern is read in the same alphabet.
    assert match_patterns("close the dıspute", [{"name": "s", "pattern": r"\bdıspute\b", "intent": "close"}])


def test_R_DSP_8_round18_a_possessive_repeat_over_a_group_is_refused_with_a_reason_in_both_languages():
    # Python 3.11's re raises SystemError on some texts for "(…)++" with a capturing group
    # inside; a staff pattern like that would break matching, so it is refused when saved.
    with pytest.raises(ValidationError) as error:
        validate_pattern(r"((a)|b)++c")
    assert "possessive repeat over a capturing group" in error.value.messages[0]
    with translation.override("ru"), pytest.raises(ValidationError) as error:
        validate_pattern(r"x(?:(a)|b)*+")
    assert "Притяжательный повтор" in error.value.messages[0]
    validate_pattern(r"(?:a|b)++c")  # no capturing group inside: fine
    assert match_patterns("abc", [{"name": "staff", "pattern": r"((a)|b)++c", "intent": "close"}]) == []


def test_R_DSP_8_round18_normalize_keeps_an_equals_sign_as_a_word_of_its_own():
    # "Отзыв = возврат" is an ask; with "=" dropped it read as two nouns side by side.
    assert normalize("Отзыв = возврат") == "отзыв = возврат"
    assert normalize("close=refund, ok?") == "close = refund ok"
    assert normalize("Close => I ship the gift") == "close = i ship the gift"


def test_R_DSP_8_normalize_keeps_words_apart_and_sentence_ends():
    assert normalize("Please pay attention!") == "please pay attention"
    assert normalize("Close it!!! Then, write.\nOK?") == "close it. then write. ok"
    assert normalize("Вернём ещё, пейпал") == "вернем еще пейпал"


@pytest.mark.parametrize(
    ("latin", "russian"),
    [
        ("zakroyte spor", "закройте спор"),
        ("zakroite spor pozhaluista", "закройте спор пожалуйста"),
        ("pishite v telegu", "пишите в телегу"),
        ("skinte nomer karty", "скинте номер карты"),
        ("vernu dengi na kivi", "верну денги на киви"),
        ("otzovite pretenziyu", "отзовите претензию"),
        ("kompensaciya", "компенсация"),
        ("davai v vatsap", "давай в вацап"),
    ],
)
def test_R_DSP_8_transliteration_reads_latin_letters_as_russian(latin, russian):
    assert transliterate(latin) == russian


def test_R_DSP_8_each_message_is_matched_as_written_and_as_transliterated_word_for_word():
    assert text_variants("Спор закрыт") == ("спор закрыт",)
    normalized, russian = text_variants("ok, zakroyte spor @shop_1")
    assert normalized == "ok zakroyte spor @shop_1"
    assert len(russian.split(" ")) == len(normalized.split(" "))
    assert russian.split(" ")[1:3] == ["закройте", "спор"]


# --- Kinds that must be flagged, in English and Russian ---------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "Cancel the claim today and a second charger goes in the box for you, free of charge.",
        "A free case and screen protector are yours once you withdraw the complaint.",
        "we add one more pair as present, only you close dispute first",
        "Уберите жалобу, а мы положим в посылку чехол в подарок.",
        "Отправим ещё одну лампу бесплатно, если отзовёте претензию.",
        "Как только спор исчезнет, вышлю вам замену.",
    ],
)
def test_R_DSP_8_a_benefit_offered_for_closing_is_flagged_in_either_order(message):
    assert "benefit" in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "zakroyte pozhaluista spor, vyshlem novyi",
        "Napishite mne v telegu, tam obsudim",
        "skinte nomer karty, vernu dengi",
        "davai v vatsap pereidem, tak bystree",
        "otmenite pretenziyu i poluchite podarok",
    ],
)
def test_R_DSP_8_transliterated_russian_is_flagged(message):
    assert flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "Could you take back your complaint? We will sort the problem out.",
        "Let's settle this between us, no arbiter needed.",
        "Please remove the claim, my shop gets punished for it.",
        "Заберите претензию, пожалуйста, мы всё уладим.",
        "Давайте решим между собой, без площадки.",
        "Уберите, пожалуйста, жалобу — мы вернём деньги.",
    ],
)
def test_R_DSP_8_euphemisms_for_closing_are_flagged(message):
    assert flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "Откажитесь, пожалуйста, от спора, я верну деньги сам.",
        "Очень прошу отказаться, плиз, от претензии.",
        "Насчёт спора. Откажитесь от него, и вопрос закроем.",
        "По жалобе: откажитесь от неё, пожалуйста, товар заменим.",
    ],
)
def test_R_DSP_8_round15_a_politeness_word_or_a_pronoun_inside_the_russian_ask_is_flagged(message):
    # Missed in rounds 12, 13 and 14 alike (migration 0028).
    assert "close" in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "Не откажитесь, пожалуйста, от спора, если товар не пришёл.",
        "Спор ваш, отказываться от него не нужно.",
        "Откажитесь от упаковки, пожалуйста, если она не нужна.",
    ],
)
def test_R_DSP_8_round15_the_wider_russian_close_is_not_a_flag_when_negated_or_about_something_else(message):
    assert "close" not in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "Could you tap the button saying the problem is resolved? Thanks a lot.",
        "Please choose 'satisfied with the result' in the case window.",
        "Just confirm on the claim page that we came to an agreement.",
        "Нажмите, пожалуйста, на странице спора кнопку «проблема решена».",
        "Подтвердите на сайте, что претензий к нам не имеете.",
        "Администрацию не подключайте, договоримся сами.",
        "Давайте не будем доводить до поддержки.",
    ],
)
def test_R_DSP_8_round16_confirming_the_outcome_or_keeping_support_out_is_a_close_ask(message):
    # Round 15's misses: the dispute closed by a button or a confirmation, support kept out.
    assert "close" in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "A new kettle ships as soon as the complaint is no longer open.",
        "I'll pay you back the whole amount once the claim is off my page.",
        "Пришлю новый чехол, если сегодня закончим с этим делом.",
        "Нет спора — есть подарок.",
    ],
)
def test_R_DSP_8_round16_a_benefit_for_the_dispute_gone_is_flagged(message):
    assert "benefit" in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "Pay via PayPal, the link is in my profile.",
        "Проще заплатить мне напрямую, без комиссии площадки.",
    ],
)
def test_R_DSP_8_round16_paying_by_paypal_or_directly_is_asked_off_platform(message):
    assert "off-platform" in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "I marked the dispute resolved since you refunded me.",
        "I accidentally clicked resolved, can I open it again?",
        "Don't click resolved until the parcel arrives.",
        "Мы не будем подключать поддержку, если посылка придёт завтра.",
        "You paid via PayPal, so the refund goes back there.",
        "Если кто-то просит оплатить напрямую, сразу пишите в поддержку.",
    ],
)
def test_R_DSP_8_round16_the_new_close_benefit_and_payment_readings_leave_innocent_lines_alone(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Could you press the button that says you are satisfied with the result?", "close"),
        ("Please confirm to support that you have no more complaints.", "close"),
        ("A free case is yours, but first the dispute has to be removed.", "benefit"),
        ("Новый блендер уедет, когда вопрос с арбитражем отпадёт.", "benefit"),
        ("Отправлю замену, как только претензия перестанет висеть.", "benefit"),
        ("Открытое разбирательство блокирует выплаты: если заберёте его сегодня, буду благодарен.", "close"),
    ],
)
def test_R_DSP_8_round17_more_ways_to_confirm_or_wish_the_dispute_away_are_flagged(message, intent):
    # Round 16's misses: a longer way to the button, "no more complaints", the dispute named
    # "разбирательство" or "вопрос с арбитражем", "перестанет висеть".
    assert intent in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "The dispute has to be reviewed by the platform first, it takes three days.",
        "Когда вопрос с арбитражем решится, площадка сама вернёт деньги.",
        "I pressed the button by mistake, is the claim still open?",
    ],
)
def test_R_DSP_8_round17_the_wider_readings_leave_innocent_lines_alone(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Could you make that red banner on the order disappear? You know which button.", "close"),
        ("A bonus is yours as soon as the shop has no open disputes again.", "close"),
        ("All I ask is that the claim not remain open on our page.", "close"),
        ("It's basically delivered, so there's no need to keep the case open, right?", "close"),
        ("Let's not bother support, I'll sort it out with you.", "off-platform"),
        ("Can we keep the admins out of this one?", "off-platform"),
        ("Refund = closed claim, simple.", "close"),
        ("withdraw=gift", "close"),
        ("Не нужно впутывать платформу, договоримся.", "close"),
        ("Приостановите процесс с вашей стороны, и я всё верну.", "close"),
        ("Подарок отправлю, когда на магазине не будет открытых жалоб.", "close"),
        ("Прошу только, чтобы претензия на странице магазина не висела.", "close"),
        ("Держать спор открытым больше не нужно, товар уже у вас.", "close"),
        ("Деньги вернём, как только всё закроется с вашей стороны.", "close"),
        ("Сделайте, чтобы красная плашка на заказе пропала. Сами знаете, какую кнопку.", "close"),
        ("Полный возврат после закрытия спора. Ок?", "close"),
        ("Снятие жалобы = компенсация.", "close"),
        ("На сбер норм?", "off-platform"),
    ],
)
def test_R_DSP_8_round18_allusions_conditions_and_equations_are_flagged(message, intent):
    # Round 17's misses: the dispute by allusion (a banner, "which button"), no open disputes as
    # the condition, the platform kept out, the refund after the cancellation, equations ("=" is
    # a word of its own after normalisation), the seller's card in two words.
    assert intent in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "Yes, this sticker pack includes Telegram, PayPal and Discord icons.",
        "The 'Venmo' novelty mug is back in stock.",
        "В наборе наклеек есть лого телеграм, вайбер и вк.",
        "Да, на брелоке значки Ватсапа и Сбера.",
        "Фейковые аккаунты могут писать вам в телеграм от нашего имени, не ведитесь.",
        "Не верьте сообщениям «закройте спор и получите бонус» — это подделка.",
        "Возврат после отмены заказа приходит за три дня.",
        "The platform shows no open disputes on your account now.",
        "Your refund = the amount you paid, minus nothing.",
    ],
)
def test_R_DSP_8_round18_goods_with_logos_and_warnings_about_fakes_are_not_flagged(message):
    assert not flagged(message)


def test_R_DSP_8_round18_the_ask_after_a_logo_is_still_flagged():
    # The new exempt scope ends where an ask begins: a logo named, then "write me there".
    assert "off-platform" in intents("The mug has the WhatsApp logo, write me on WhatsApp for a discount.")


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Sure, I'll sort it out, but first leave the case.", "close"),
        ("Think of it: full refund, you keep the lamp, and the claim becomes history.", "close"),
        ("If the complaint goes away, your refund arrives the same evening.", "close"),
        ("Like we said yesterday, once it's withdrawn I'll send the money.", "close"),
        ("Everything's packed. Just need you to cancel.", "close"),
        ("If you don't withdraw it now, we can't help you with anything.", "close"),
        ("Keep the case open and you get nothing, that's how it works.", "close"),
        ("Let's keep the whole refund off the books, easier for both.", "off-platform"),
        ("Мы платим, покупатель закрывает спор. Всё честно.", "close"),
        ("Покупатель снимает жалобу, я перевожу деньги. Обычная схема.", "close"),
        ("Что вы хотите, чтобы этой претензии не было?", "close"),
        ("Жду, пока вы отзовёте, деньги на руках.", "close"),
        ("Ты ещё не закрыл?", "close"),
        ("Если не снимете жалобу, мы ничего не вернём.", "close"),
        ("Измените в споре статус на «товар получен», дальше я сам.", "close"),
        ("Ну ты закрывай давай, деньги сразу.", "close"),
        ("Давайте обсудим в личке, тут неудобно.", "off-platform"),
        ("Верну с карты на карту, так быстрее.", "off-platform"),
    ],
)
def test_R_DSP_8_round19_deals_follow_ups_threats_and_pushes_are_flagged(message, intent):
    # Round 18's misses: the dispute left or made history, gone as a condition, a promise for
    # when it is withdrawn, "just need you to cancel", threats unless it is withdrawn, "as the
    # custom is: the seller pays, the buyer closes", waiting for the withdrawal, "закрывай давай",
    # "в личке", card to card.
    assert intent in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "Please don't leave the case open longer than you need, the arbiter will decide it.",
        "Leave the dispute to the arbiter, we will accept the decision.",
        "Once the case is closed by the arbiter, the platform sends the refund.",
        "I need you to cancel the order button only if you don't want it shipped.",
        "We never do anything off the books, all refunds go through the site.",
        "Покупатель закрывает спор сам, когда получит деньги от площадки.",
        "Жду, когда вы отмените заказ, чтобы не отправлять.",
        "Не пишите нам в личку, отвечаем только здесь.",
        "Переводы с карты на карту мы не делаем, только возврат через площадку.",
        "Мне площадка ещё не перечислила деньги, так что возврат пойдёт напрямую от неё, не от меня.",
        "The refund is paid directly from the platform to your card.",
    ],
)
def test_R_DSP_8_round19_the_new_readings_leave_innocent_lines_alone(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Could you update the claim to say all good? Then the bonus is yours.", "close"),
        ("The cash-back goes out when the dispute is no longer showing on my store.", "close"),
        ("Cancel it or we will report your account.", "close"),
        ("Would it kill you to withdraw this? We're a tiny shop.", "close"),
        ("You know what to do with the grey button, then we're square.", "close"),
        ("ok now close please, I resend tomorrow", "close"),
        ("Если жалобу не снимете сегодня, занесу вас в чёрный список.", "close"),
        ("Поставьте в споре сумму возврата на ноль, а разницу я переведу.", "close"),
        ("Полный возврат сразу после снятия жалобы, иначе никак.", "close"),
        ("Всё готово, жду, когда претензия пропадёт.", "close"),
        ("Можно сделать так, чтобы жалобы не было? В долгу не останусь.", "close"),
        ("Снимите претензию, иначе ничего больше не вышлю.", "close"),
        ("Ваш номер оставьте, перезвоню вечером.", "off-platform"),
        ("Вопрос решаемый, но не через площадку.", "off-platform"),
    ],
)
def test_R_DSP_8_round20_edits_threats_pleas_and_allusions_are_flagged(message, intent):
    # Round 19's misses: the dispute edited to say all is well or the refund set to zero, the
    # case no longer on the account, "close it or …" and "если не снимете … в чёрный список",
    # "would it hurt you", the button, "now close please", waiting for the dispute to vanish, a
    # threat after "иначе" no longer read as a refusal, the number asked for after its noun.
    assert intent in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "Viber, Telegram or WeChat, we do not use them, only this chat.",
        "You said you were thinking of cancelling the case. Please wait until the new one arrives.",
        "Thanks, I see you closed the dispute. Enjoy the lamp!",
        "Don't think I'm asking you to withdraw the claim, I just need a photo.",
        "Вы писали, что хотите отменить претензию, — не торопитесь, проверьте товар.",
        "Видим, вы уже закрыли спор. Спасибо!",
        "Не думайте, что мы просим вас снять жалобу, нам нужно только фото.",
        "Please edit the claim to add the photos of the damage.",
        "Сумму возврата в споре можно поменять, арбитр решит.",
    ],
)
def test_R_DSP_8_round20_the_buyers_own_decision_and_listed_refusals_are_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Kindly confirm receipt on the site so the case closes, the money comes from me after.", "close"),
        ("Replacement ships tomorrow provided the claim is withdrawn today.", "close"),
        ("Keep the complaint open and we will post your name everywhere.", "close"),
        ("Подтвердите доставку, чтобы спор закрылся, остальное переведу.", "close"),
        ("Если к утру претензия не пропадёт, пойду в полицию.", "close"),
        ("Жалобу отозвал быстро, иначе пожалеешь.", "close"),
        ("Отказ от претензии = бонус 300 рублей.", "close"),
        ("Верну вам наличкой, могу подъехать к вашему метро.", "off-platform"),
        ("Переведу возврат по вашему номеру телефона, так быстрее.", "off-platform"),
        ("Send a photo of your bank card so I know where to refund.", "off-platform"),
        ("Text me on the green app, same number as on the label.", "off-platform"),
        ("If you leave the case open, I tell everyone you're a scammer.", "close"),
    ],
)
def test_R_DSP_8_round21_receipts_for_closing_threats_cash_and_card_photos_are_flagged(message, intent):
    # Round 20's misses: receipt confirmed so that the dispute closes, the dispute gone as a
    # stated condition, threats while it stays open (a warning sentence no longer covers calling
    # the buyer a scammer), "Отказ от спора = скидка", cash in person, a refund by phone number,
    # a photo of the card, a messenger by its colour.
    assert intent in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "Close the dispute only after you actually receive the refund, not before.",
        "Only the buyer can close a dispute, I can't do anything from my side.",
        "Закрыть спор может только покупатель, мы со своей стороны не можем.",
        "Вижу, вы сами отменили спор. Деньги уже вернулись.",
        "Я отдала наличкой курьеру, когда забирала посылку.",
        "Scammers may write to you on WhatsApp, be careful.",
        "Send a photo of your card payment receipt if the bank charged twice.",
    ],
)
def test_R_DSP_8_round21_advice_on_when_and_who_closes_is_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("The parcel is already in your city, kindly cancel the request for a refund.", "close"),
        ("Заберите, пожалуйста, запрос на возврат денег, товар уже на почте.", "close"),
        ("Cancel it before tonight or we report you to the platform.", "close"),
        ("Withdraw the claim by Monday or else no parcel.", "close"),
        ("We will refund everything, but only once the dispute status shows closed.", "close"),
        ("Compensation is guaranteed only after the case is cancelled.", "close"),
        ("Деньги переведу, но только когда претензия будет отозвана.", "close"),
        ("Сообщите в поддержку, что товар дошёл, а я вас отблагодарю.", "close"),
        ("Please tell support the package arrived and we'll make it up to you.", "close"),
        ("To send the refund I need your SWIFT code and the name of your bank.", "off-platform"),
        ("Give me your routing number, I pay you back today.", "off-platform"),
        ("Vvhatsapp me, the number is in my profile.", "off-platform"),
        ("I will pay into your bank account please send me the IBAN.", "off-platform"),
    ],
)
def test_R_DSP_8_round22_refund_requests_deadlines_and_bank_routes_are_flagged(message, intent):
    # Round 21's misses: a refund *request* asked to be cancelled, an ultimatum with a deadline,
    # the money promised only once the dispute is closed, the platform told the goods arrived,
    # a bank transfer's own words, a doubled v for the w; the platform's refund route no longer
    # reaches across "please".
    assert intent in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "If any seller ever asks you to close a dispute for money, report it to the platform.",
        "A seller even offered me cash to cancel? Then it's phishing, don't answer.",
        "No legit shop will ever ask for your sort code, ignore such messages.",
        "That SMS about a refund needing your routing number is phishing.",
        "The refund request stays open until you get the parcel, don't cancel it.",
        "Не отменяйте запрос на возврат, пока не получите посылку.",
        "Your bank will return the money to the card within 5 days.",
        "Если посылка не дошла, напишите в поддержку, они помогут.",
        "The swift delivery option costs 3 dollars more.",
    ],
)
def test_R_DSP_8_round22_warnings_advice_and_the_banks_own_refund_are_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("If you won't withdraw the case this week, we will have to leave bad feedback.", "close"),
        ("Если не отзовёте жалобу до пятницы, то мы будем вынуждены внести вас в чёрный список.", "close"),
        ("Just accept the 0$ refund offer in the dispute page, the rest comes later.", "close"),
        ("Согласитесь на нулевой возврат в споре, остальное обсудим.", "close"),
        ("Store policy: a 10% coupon for every customer who withdraws the complaint today.", "benefit"),
        ("Customers who close the dispute within a day receive a free gift from our shop.", "benefit"),
        ("По правилам магазина покупателям, которые отзывают претензию, положен сертификат.", "benefit"),
        ("Сертификат на 500 рублей всем, кто снимет жалобу сегодня.", "benefit"),
        ("Our WhatsApp number is on the card inside your parcel, message us there.", "off-platform"),
        ("Please text the number printed on the flyer in the box, we fix it fast.", "off-platform"),
        ("Мой телеграм на последнем фото товара, напишите туда.", "off-platform"),
        ("Напишите на почту, которая указана на вкладыше в коробке.", "off-platform"),
        ("I will slip 30 dollars into the next package for you.", "off-platform"),
        ("Вложу 2000 рублей наличными в следующую посылку.", "off-platform"),
        ("We can pay you the difference on the side, no need to involve anyone.", "off-platform"),
        ("Give me an account I can transfer the money to.", "off-platform"),
        ("Скиньте номер, на который я могу перевести деньги.", "off-platform"),
        ("Пишите в телеграм, сюда писать нельзя.", "off-platform"),
    ],
)
def test_R_DSP_8_round23_threats_made_up_rules_and_contacts_left_in_the_parcel_are_flagged(message, intent):
    # Round 22's misses: a threat far from the ask, a zero refund to accept, a made-up rule that
    # rewards closing, a contact left in the parcel or a photo, cash hidden in a parcel, money "on
    # the side", an account to pay into; a refusal no longer reaches across "сюда".
    assert intent in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "There is a thank-you card in the box with our store name on it.",
        "Please contact support with the tracking number on the label.",
        "Our phone number on the package is for the courier only, please write to us here.",
        "Наш номер на коробке только для курьера, пишите сюда.",
        "Номер заказа указан на упаковке, напишите его в поддержку.",
        "See the last photo for the size chart.",
        "We never put cash in parcels, it is not allowed.",
        "Don't accept a 0 refund, wait for the arbiter's decision.",
        "В вайбер писать нельзя, пишите сюда.",
        "Мы никогда не ставим покупателям плохие отзывы.",
    ],
)
def test_R_DSP_8_round23_notes_in_parcels_refusals_and_reviews_are_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("It arrived, so please end the buyer protection today.", "close"),
        ("Посылка у вас, отключите защиту покупателя, пожалуйста.", "close"),
        ("Just accept the offer of €0 in the case, the rest I handle.", "close"),
        ("Please edit the dispute saying the lamp is working, thanks.", "close"),
        ("Reply 'resolved' to the platform's question and we are done.", "close"),
        ("We'll refund you ourselves, but first confirm the receipt on the order page.", "close"),
        ("Верну деньги, только после того как подтвердите получение.", "close"),
        ("Посмотрели трек? Подтвердите доставку и отмените пожалуйста", "close"),
        ("Отменяйте, мне штраф за каждый спор.", "close"),
        ("Confirm receipt today and I'll send a gift with your next order.", "benefit"),
        ("Подтвердите получение, а скидку 30% я вам дам на следующий заказ.", "benefit"),
        ("Откажитесь от возврата, и я положу в посылку второй комплект бесплатно.", "benefit"),
        ("Give up the refund and a bonus set goes out to you tomorrow.", "benefit"),
        ("Как только жалоба пропадёт из кабинета, вас ждёт сюрприз.", "benefit"),
        ("My brother can hand you the cash in person tomorrow.", "off-platform"),
        ("Пишите в телеграм @kruzhki_shop, там быстрее.", "off-platform"),
    ],
)
def test_R_DSP_8_round24_protection_ended_receipt_confirmed_for_a_benefit_and_cash_in_hand_are_flagged(
    message, intent
):
    # Round 23's misses: buyer protection ended, a zero refund with the sign first, the claim
    # edited to say all is fine, an answer to the platform's question, the money only after
    # receipt is confirmed, receipt confirmed or the refund given up for a benefit, a surprise
    # once the dispute is gone, a bare close after "и" or with a reason, cash in hand.
    assert intent in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "Снимите защитную плёнку перед установкой стекла.",
        "Your buyer protection ends on 12 May, after that the money goes to the seller.",
        "Закрыть спор? Нет, не надо, пусть арбитр решит.",
        "Close the dispute? No, please wait for the arbiter.",
        "Наш телеграм-канал взломали, игнорируйте сообщения оттуда.",
        "Our Instagram was hacked, ignore any messages from it.",
        "Please confirm receipt once the arbiter has decided the case.",
        "Откройте коробку и закройте крышку плотно.",
    ],
)
def test_R_DSP_8_round24_film_protection_refused_closing_and_hacked_channels_are_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Could you lower the refund amount to zero? The spare part is already packed for you.", "close"),
        ("Please set the requested sum to 0 usd, I promise the new one ships on Monday.", "close"),
        ("Just pick the 'no refund' option in the case and keep the lamp.", "close"),
        ("Kindly cancel your refund request, the parcel is at the local post office.", "close"),
        ("Our one condition is that you drop the complaint today.", "close"),
        ("Please don't continue with the dispute, we are a small family shop.", "close"),
        ("I'd reconsider that complaint if I were you.", "close"),
        ("Пожалуйста, отмените возврат денег, посылка уже в городе.", "close"),
        ("Подумайте ещё раз над своей претензией, мы же можем договориться.", "close"),
        ("Нажмите в споре «урегулировано», остальное сделаю я.", "close"),
        ("Tap 'confirm received'. The money I pay you separately tomorrow.", "benefit"),
        ("Можете подтвердить получение? Тогда вышлю вторую пару в подарок.", "benefit"),
        ("Подтвердите получение, а деньги за брак я переведу отдельно.", "benefit"),
        ("The chat here is read by bots, find me as @lamp_master_77 on the blue app.", "off-platform"),
        ("Добавляйтесь @zapchasti_msk, там всё решим.", "off-platform"),
        ("Пишите в телегу t.me/zapchasti_msk, тут нормально не поговорить.", "off-platform"),
        ("Почта: lampshop собака мэйл точка ру, пишите туда.", "off-platform"),
    ],
)
def test_R_DSP_8_round25_zero_refunds_cancelled_refunds_handles_and_money_sent_separately_are_flagged(
    message, intent
):
    # Round 24's misses: the refund amount set to zero or a "no refund" option accepted, the
    # refund request cancelled, "the only condition is…", the dispute not to be continued or to
    # be reconsidered, a status chosen in the app, receipt confirmed for money "separately" or a
    # benefit in the next sentence, a handle with an ask to find it, a refusal of "тут" that
    # refuses nothing about the channel named before it, an e-mail spelled with "мэйл".
    assert intent in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "We will not ask you to remove it, the arbiter will decide.",
        "We will never ask you to mark the case as resolved.",
        "Would you like us to add a card with a message to the gift? It's free.",
        "The refund comes from the platform directly, we never hold the money.",
        "The 'resolved' button is greyed out: the case is with the arbiter, only they can close it now.",
        "Наш магазин не переводит деньги на карты, возврат только через площадку.",
        "Подтвердите, пожалуйста, получение повторной отправки, когда она дойдёт.",
        "The refund amount is set by the arbiter, not by us.",
    ],
)
def test_R_DSP_8_round25_promises_not_to_ask_gift_cards_and_the_platform_refund_are_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Kindly don't extend the protection, the box is already in your town.", "close"),
        ("The protection runs out on Friday, just let it end and the bag will still come.", "close"),
        ("Please don't reply to the arbiter for a few days, the case will close on its own.", "close"),
        ("If the platform asks whether the issue is solved, answer yes please.", "close"),
        ("Tap received today, the courier brings it tomorrow anyway.", "close"),
        ("Could you not ask for a refund? The margin on this lamp is tiny.", "close"),
        ("Please change the reason to 'changed my mind', it costs you nothing.", "close"),
        ("Delete the video from the claim, our manager has already seen it.", "close"),
        ("You can save my little shop with one click, please.", "close"),
        ("We know where you live, think twice. Take back the complaint or we go further.", "close"),
        ("Scan the QR on the leaflet in the box, it opens a chat with me directly.", "close"),
        ("Не продлевайте защиту, пожалуйста, чайник уже на почте.", "close"),
        ("Пусть срок защиты спокойно истечёт, а посылку я прослежу.", "close"),
        ("Не отвечайте поддержке пару дней, спор закроется сам.", "close"),
        ("Когда площадка спросит, всё ли в порядке, нажмите «да».", "close"),
        ("Отметьте «получено» сейчас, курьер привезёт завтра, обещаю.", "close"),
        ("Не требуйте возврат, пожалуйста, мы и так в убытке.", "close"),
        ("Поменяйте причину спора на «не подошёл размер», вам без разницы.", "close"),
        ("Удалите видео из претензии, мы его уже посмотрели.", "close"),
        ("Выберите вариант без возврата денег, а я пришлю вторую пару.", "close"),
        ("Закрывайте сейчас или вообще ничего не получите.", "close"),
        ("Мы знаем ваш адрес, не советую продолжать спор.", "close"),
        ("Сюда больше не пишите, менеджер ждёт вас в телеге @lampa_help.", "off-platform"),
        ("Quick one: wa.me/380501234567", "off-platform"),
        ("Могу вместо возврата через спор сразу скинуть 900 на сбер.", "off-platform"),
        ("Please don't hit the extend button again, the lamp is almost there.", "close"),
        ("Kindly allow the 60 day window to pass, we will look after you.", "close"),
        ("Ignore the moderator's messages till Friday, I am sorting the tracking out.", "close"),
        ("Mark received and I give you a free cable for the wait.", "benefit"),
        ("Cancel it right now or you get nothing from us.", "close"),
        ("We will not ship anything until this complaint is withdrawn.", "close"),
        ("Подождите окончания защиты и ничего не пишите, ладно?", "close"),
        ("Модератор будет спрашивать — скажите, что претензий нет.", "close"),
        ("Давайте без возврата, я лучше положу вам подарок.", "close"),
        ("Отредактируйте спор и напишите, что товар соответствует описанию.", "close"),
        ("Меня уволят из-за вашей претензии, поймите.", "close"),
        ("Не закроете — пожалеете, денег не будет.", "close"),
    ],
)
def test_R_DSP_8_round26_protection_left_to_run_out_silence_early_receipt_and_rewritten_claims_are_flagged(
    message, intent
):
    # Round 25's misses: the case ended without naming its closing (``solicitation.ending``): the
    # protection left to run out, the platform left unanswered or answered for the seller, receipt
    # confirmed while the parcel travels, the refund given up, the claim's reason changed or its
    # evidence deleted, a "no refund" option chosen, guilt and threats, a QR code that opens a
    # chat; "закрывайте … или", an order not to write here, a wa.me link, "могу … скинуть на сбер".
    assert intent in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "Please confirm receipt when the parcel arrives and you have checked it.",
        "Подтвердите получение, когда посылка придёт и вы всё проверите.",
        "The dispute will close on its own once the platform refunds you.",
        "Спор закроется автоматически, когда площадка вернёт вам деньги.",
        "I'm not going to let the protection expire, I will extend it myself.",
        "Не сканируйте QR-коды из чужих листовок, мы такие не вкладываем.",
        "Мы не можем вернуть деньги наличными, это только через площадку.",
        "Last warning from the courier: the parcel goes back tomorrow if nobody picks it up.",
        "Нет, встретиться и передать деньги наличными не получится, всё через площадку.",
        "We can't meet in person or give cash, the refund goes back through the site.",
        "Вы можете не продлевать защиту, если посылка уже у вас.",
        "The remote has one button for power and one for volume.",
    ],
)
def test_R_DSP_8_round26_receipt_confirmed_on_arrival_and_the_platform_closing_are_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "message me on WhatsApp\u200b pls",
        "Contact on VVhatsApp 8 916 000 00 00",
        "we refund on PayPaI faster",
        "find us on lnstagram, same name",
        "Напишите в Те1еграм @shop",
        "пишите в вайбер, номер в профиле",
    ],
)
def test_R_DSP_8_look_alike_letters_and_leet_in_brand_names_are_flagged(message):
    assert "off-platform" in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "close pls, 10$ back to you",
        "cancel it and you get 20€",
        "Закройте плиз, 500₽ ваши",
        "Отмените. Верну 300р",
    ],
)
def test_R_DSP_8_short_elliptical_messages_are_flagged(message):
    assert flagged(message)


# --- False-alarm kinds that must not be flagged ---------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "We cannot refund you by PayPal, only the platform pays refunds.",
        "Sorry, we don't use Telegram or Viber, please write in this chat.",
        "I will not ask you to cancel the dispute.",
        "Мы не можем вернуть деньги на карту напрямую, только через площадку.",
        "Мы не пользуемся телеграмом, пишите здесь.",
        "Перевести на киви нельзя, так устроена площадка.",
    ],
)
def test_R_DSP_8_a_refusal_naming_a_channel_is_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "Some sellers ask buyers to pay via Western Union. Please never do it.",
        "If anyone asks you to close the dispute for a gift, tell the support.",
        "Осторожно: мошенники пишут покупателям в вотсап от имени магазинов.",
        "Никому не сообщайте номер карты и код из смс.",
    ],
)
def test_R_DSP_8_a_warning_about_others_is_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "You paid with PayPal, so the refund goes back to your PayPal automatically.",
        "The money returns to the card you paid with, the platform does this.",
        "Dispute money can't be moved to a wallet, it goes back to your card.",
        "Вы оплачивали картой, поэтому возврат придёт на карту.",
        "Деньги по спору нельзя вывести на кошелёк, только на карту оплаты.",
        "Площадка вернёт деньги тем же способом, которым вы платили: на карту или PayPal.",
    ],
)
def test_R_DSP_8_payment_methods_used_on_the_platform_are_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "The dispute will be closed automatically after the refund.",
        "Please do not close the dispute until you receive your money.",
        "Close the lid firmly and shake the bottle.",
        "Спор будет закрыт после возврата средств.",
        "Закройте приложение и откройте снова.",
        "We put a small gift in the replacement parcel, whatever you decide about the dispute.",
        "",
    ],
)
def test_R_DSP_8_an_ordinary_seller_reply_is_not_flagged(message):
    assert not flagged(message)


# --- Round 2 (held-out set solicitation_holdout_round2.jsonl): the kinds it found missing ------------


@pytest.mark.parametrize(
    "message",
    [
        "Once the case is taken down you'll get a spare battery, no charge.",
        "If you agree to withdraw, a premium upgrade is yours.",
        "Remove your pending claim and the accessories are on me.",
        "Спор закрываем, и я дошлю зарядку бесплатно.",
    ],
)
def test_R_DSP_8_round2_a_condition_on_the_dispute_ending_tied_to_a_benefit_is_flagged(message):
    """The condition in any tense or with an adjective ("pending claim", "taken down", "agree to
    withdraw"), the benefit without a money word ("no charge", "on me", "upgrade")."""
    assert "benefit" in intents(message) or "close" in intents(message)
    assert flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "Tell the platform everything is resolved and I'll look after you.",
        "Just confirm the issue is settled, I'll do the rest.",
        "Подтвердите в споре, что проблема решена, остальное за мной.",
        "Напишите арбитру, что вопрос урегулирован.",
    ],
)
def test_R_DSP_8_round2_asking_to_tell_the_platform_it_is_solved_is_a_request_to_close(message):
    assert "close" in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "Закрывайте, заплачу сразу.",
        "Спор отменяем? Дам 300р.",
    ],
)
def test_R_DSP_8_round2_short_russian_messages_with_a_money_verb_or_we_form_are_flagged(message):
    assert "close" in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "Ping me on Discord, same nick as the shop",
        "Let's switch to another messenger, this one lags",
        "Перейдём в личку, там проще.",
        "My contact: +49 151 2345 6789",
        "Вот номер: 8 903 555 44 33",
        "wa +7 912 000 11 22",
    ],
)
def test_R_DSP_8_round2_a_messenger_named_generically_or_a_phone_number_offered_is_flagged(message):
    assert "off-platform" in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "Your order number is 8123456789012, the parcel is on its way.",
        "The courier's tracking shows 07 12 2026 delivery.",
        "Spare parts are sold separately on the listing page.",
    ],
)
def test_R_DSP_8_round2_order_numbers_dates_and_unconditional_extras_are_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "Forget arbitration, I'll refund you to your card myself.",
        "Арбитр долго, мы вернём на карту.",
    ],
)
def test_R_DSP_8_round2_the_platform_s_refund_route_does_not_cover_the_seller_s_own_offer(message):
    """ "arbitration, I'll refund you" is the seller paying, not the platform: the exempt route
    needs the platform as the subject of the verb, not a seller's "I"/"we" after it."""
    assert "off-platform" in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "We can't use Zelle outside the marketplace, sorry.",
        "I won't handle this privately, the arbiter decides.",
        "Policy prohibits transfers to PayPal outside the platform.",
        "В вотсап писать не будем, всё в этом чате.",
        "Правила запрещают переводы на карту в обход площадки.",
        "Не могу договориться с вами лично, ждём решения арбитра.",
    ],
)
def test_R_DSP_8_round2_a_refusal_covers_the_rest_of_its_clause(message):
    """Negation scope: what follows the refused channel in the same clause ("outside the
    marketplace", "в обход площадки") is refused with it; "prohibits", "запрещают", "не будем"
    after the channel are refusals too."""
    assert not flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "We can't use PayPal, but message me on WhatsApp",
        "Мы не пользуемся PayPal, но пишите в телеграм",
    ],
)
def test_R_DSP_8_round2_a_refusal_s_scope_ends_where_a_new_clause_begins(message):
    assert "off-platform" in intents(message)


# --- Every flag explains itself ------------------------------------------------------------------


def test_R_DSP_8_a_flag_names_its_intent_pattern_and_the_words_that_matched_after_normalisation():
    flags = match_patterns("Pls cl0se the d1spute, I send gift!", DEFAULT_PATTERNS)

    close = next(flag for flag in flags if flag["pattern"] == "close-dispute-request-en")
    assert close == {"pattern": "close-dispute-request-en", "intent": "close", "matched": "close the dispute"}
    assert {flag["intent"] for flag in flags} == {"close", "benefit"}
    assert [flag["pattern"] for flag in flags] == sorted(flag["pattern"] for flag in flags)


def test_R_DSP_8_a_flag_from_the_transliteration_says_so():
    [flag] = [f for f in match_patterns("pishite v telegu", DEFAULT_PATTERNS)]

    assert flag == {
        "pattern": "messenger",
        "intent": "off-platform",
        "matched": "телегу",
        "transliterated": True,
    }


def test_R_DSP_8_flag_explanations_read_new_flags_and_old_rows_of_pattern_names():
    new = SimpleNamespace(
        solicitation_patterns=[{"pattern": "messenger", "intent": "off-platform", "matched": "в вотсап"}]
    )
    old = SimpleNamespace(solicitation_patterns=["paypal", "messenger"])

    assert flag_explanations(new) == [
        "Moves the conversation or the money off the platform: “в вотсап” (messenger)"
    ]
    assert flag_explanations(old) == ["paypal", "messenger"]
    assert flag_explanations(SimpleNamespace(solicitation_patterns=[])) == []
    with translation.override("ru"):
        assert flag_explanations(new) == ["Уводит переписку или деньги с площадки: «в вотсап» (messenger)"]


# --- The detector and the database --------------------------------------------------------------


@pytest.mark.django_db
def test_R_DSP_8_a_flagged_message_is_still_posted_and_stores_its_explained_flags(people):
    """The flag is a warning and a signal to arbitration, never a block of the message."""
    dispute = open_dispute(people)

    with at(OPENED):
        message = services.dispute_post_message(
            dispute=dispute, actor=people.seller, body="zakroyte spor, vernu na kartu sbera"
        )

    stored = Message.objects.get(pk=message.pk)
    assert stored.is_flagged and stored.body == "zakroyte spor, vernu na kartu sbera"
    assert {flag["intent"] for flag in stored.solicitation_patterns} >= {"close", "off-platform"}
    assert all(flag["matched"] for flag in stored.solicitation_patterns)


@pytest.mark.django_db
def test_R_DSP_8_the_admin_case_page_and_message_list_show_the_explanations(people, client):
    dispute = open_dispute(people)
    with at(OPENED):
        services.dispute_post_message(dispute=dispute, actor=people.seller, body="Write me on Telegram @shop")
    client.force_login(people.supervisor)
    explained = "Moves the conversation or the money off the platform: “telegram"

    case_page = client.get(reverse("admin:arbitration_dispute_change", args=[dispute.pk]))
    message_list = client.get(reverse("admin:arbitration_message_changelist"))

    assert case_page.status_code == 200 and explained in case_page.content.decode()
    assert message_list.status_code == 200 and explained in message_list.content.decode()


@pytest.mark.django_db
def test_R_DSP_8_an_inactive_pattern_is_not_used():
    message = "Please close the dispute."
    assert [f["pattern"] for f in find_solicitation(message)] == ["close-dispute-request-en"]

    SolicitationPattern.objects.filter(name="close-dispute-request-en").update(is_active=False)

    # No pattern flags it any more; the classifier (round 4) still may, under its own name.
    assert find_solicitation(message, classifier=False) == []
    assert "close-dispute-request-en" not in [f["pattern"] for f in find_solicitation(message)]


@pytest.mark.django_db
def test_R_DSP_8_staff_edits_apply_to_the_next_message_without_a_deploy_and_are_normalised_too():
    SolicitationPattern.objects.create(name="store-credit", intent="benefit", pattern=r"\bstore credit\b")

    assert "store-credit" in [
        f["pattern"] for f in find_solicitation("I'll add Ｓｔｏｒｅ-Ｃｒｅｄｉｔ to your account")
    ]

    SolicitationPattern.objects.filter(name="store-credit").update(pattern=r"\bgift card\b")

    # The patterns alone: the edited pattern no longer matches (the classifier is judged apart).
    assert find_solicitation("I'll add Store-Credit to your account", classifier=False) == []
    assert "store-credit" in [f["pattern"] for f in find_solicitation("Here is your G.I.F.T card")]


@pytest.mark.django_db
def test_R_DSP_8_a_staff_pattern_written_with_capitals_yo_or_invisible_characters_still_matches():
    SolicitationPattern.objects.create(name="zorblax", pattern="Zorb\u200blax|Зорблакс ещё")

    assert find_solicitation("write me on zorblax")[0]["pattern"] == "zorblax"
    assert find_solicitation("пишите в зорблакс еще")[0]["pattern"] == "zorblax"


@pytest.mark.django_db
def test_R_DSP_8_a_staff_exempt_pattern_cancels_the_matches_it_covers():
    message = "Our factory in Telegraph Road ships tomorrow."
    SolicitationPattern.objects.create(name="telegraph", pattern=r"telegra\w*")
    assert find_solicitation(message)

    SolicitationPattern.objects.create(name="telegraph-road", intent="exempt", pattern=r"telegraph road")

    assert find_solicitation(message) == []


@pytest.mark.django_db
def test_R_DSP_8_a_broken_pattern_in_the_database_is_skipped_and_logged_never_raised(caplog):
    # Saved past validation (e.g. by a data fix): message posting must still work.
    SolicitationPattern.objects.create(name="typo", pattern=r"pay(pal")
    SolicitationPattern.objects.create(name="matches-everything", pattern=r"paypal|")

    with caplog.at_level(logging.ERROR, logger="arbitration.solicitation"):
        assert [f["pattern"] for f in find_solicitation("Please close the dispute.")] == [
            "close-dispute-request-en"
        ]

    assert "'typo' is skipped: this is not a valid regular expression" in caplog.text
    assert "'matches-everything' is skipped: this pattern matches an empty message" in caplog.text


def test_R_DSP_8_validate_pattern_rejects_a_regex_that_does_not_compile():
    with pytest.raises(ValidationError) as error:
        validate_pattern(r"pay(pal")

    assert error.value.code == "invalid_pattern"
    assert "not a valid regular expression" in error.value.messages[0]
    assert "missing ), unterminated subpattern" in error.value.messages[0]


def test_R_DSP_8_validate_pattern_rejects_a_regex_that_would_flag_every_message():
    with pytest.raises(ValidationError, match="matches an empty message"):
        validate_pattern(r"paypal|")


def test_R_DSP_8_validate_pattern_accepts_every_default_pattern():
    for row in DEFAULT_PATTERNS:
        validate_pattern(row["pattern"])


def test_R_DSP_8_patterns_can_be_evaluated_without_the_database():
    patterns = [{"name": "gift-card", "pattern": r"gift ?card"}]

    assert match_patterns("a G.I.F.T card for you", patterns)[0]["pattern"] == "gift-card"


@pytest.mark.parametrize("name", LABELLED)
def test_R_DSP_8_the_prefilter_never_hides_a_match(name):
    """Skipping a pattern whose required words are absent gives the same answer as running it."""
    for message in load(name):
        for variant in text_variants(message["text"]):
            for row in DEFAULT_PATTERNS:
                compiled = compile_pattern(row["pattern"])
                if compiled.regex.search(variant):
                    assert compiled.may_match(variant), (row["name"], variant)


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (r"p[ae]y ?p[ae]l", {"paypal", "pay pal", "peypal", "pey pal", "pay pel"}),
        (r"нет|не (?:сижу|сидим)\b", {"нет", "не сижу", "не сидим"}),
        (r"(?:^|\. )(?:pls |please )?close\b", {"close", ". close", "pls close", ". pls close"}),
    ],
)
def test_R_DSP_8_round18_the_prefilter_reads_the_few_strings_a_piece_can_match(pattern, needs):
    # As RE2's prefilter: a class of a few letters and an optional space multiply into exact
    # strings, so "p[ae]y ?p[ae]l" needs one of its spellings, not "any text at all"; a shared
    # prefix the parser factors out ("не" of "нет|не сижу") does not leave just "не".
    (part,) = compile_pattern(pattern).parts
    assert len(part.prefilter) == 1 and needs <= part.prefilter[0]
    assert all(len(word) >= 3 for word in part.prefilter[0])


@pytest.mark.parametrize(
    ("pattern", "text", "flags"),
    [
        (r"refund \d\d", "Refund ٣٣ today", True),  # "\d" is any decimal digit, not only 0-9
        (r"B|ai", "aı", True),  # an upper-case letter makes the pattern ignore case: "i" is also "ı"
        (r"(?i:ai)|zz", "aı", True),  # so does "(?i:…)"
        # "\1" is (cat), unmatched here; run alone, the alternative would read it as (dog).
        (r"(cat)|(dog) food \1 again", "dog food dog again", False),
    ],
)
def test_R_DSP_8_round18_a_staff_pattern_flags_exactly_where_its_whole_regex_matches(pattern, text, flags):
    # Found by fuzzing the prefilter (thousands of random patterns and texts): each part of a
    # pattern ignores case when the whole pattern does, a part is skipped only when it can't
    # match, and a pattern with a group reference is never split into its alternatives.
    rows = [{"name": "staff", "pattern": pattern, "intent": "off-platform"}]
    variant = text_variants(text)[0]

    assert bool(compile_pattern(pattern).regex.search(variant)) is flags
    assert bool(match_patterns(text, rows)) is flags


def test_R_DSP_8_round18_the_prefilter_never_hides_a_match_in_any_labelled_message():
    """Every part the one Aho-Corasick pass skips for a message really does not match it, over
    every labelled message of every set (13,000+), in both variants."""
    from arbitration.solicitation.matching import _compiled, _key

    compiled = _compiled(_key(DEFAULT_PATTERNS))
    for path in sorted(DATA.glob("*.jsonl")):
        for message in load(path.name):
            for variant in text_variants(message["text"]):
                skipped = set(range(len(compiled.parts))) - set(compiled.prefilter.candidates(variant))
                for number in skipped:
                    name, _intent, part = compiled.parts[number]
                    assert not part.regex.search(variant), (name, variant)


# --- The default set ----------------------------------------------------------------------------


def test_R_DSP_8_the_migration_ships_exactly_the_default_set():
    migration = importlib.import_module("arbitration.migrations.0038_solicitation_patterns_round26")

    assert migration.PATTERNS == DEFAULT_PATTERNS


def test_R_DSP_8_round20_every_default_pattern_has_a_name_of_its_own_and_fits_its_columns():
    # A second pattern under a name already shipped, or a description longer than its column,
    # would fail the data migration's insert.
    names = [row["name"] for row in DEFAULT_PATTERNS]
    assert len(names) == len(set(names))
    for field in ("name", "description"):
        longest = SolicitationPattern._meta.get_field(field).max_length
        assert all(len(row[field]) <= longest for row in DEFAULT_PATTERNS)


@pytest.mark.django_db
def test_R_DSP_8_a_fresh_database_holds_the_default_set_active_with_intents():
    stored = {p.name: p for p in SolicitationPattern.objects.all()}

    for row in DEFAULT_PATTERNS:
        assert stored[row["name"]].pattern == row["pattern"]
        assert stored[row["name"]].intent == row["intent"]
        assert stored[row["name"]].is_active


def test_R_DSP_8_the_labelled_sets_are_big_balanced_and_bilingual():
    sets = {name: load(name) for name in LABELLED}

    assert len(sets["solicitation_corpus.jsonl"]) >= 240
    assert len(sets["solicitation_holdout_evasion.jsonl"]) >= 200
    assert len(sets["solicitation_holdout_round2.jsonl"]) >= 240
    assert len(sets["solicitation_holdout_round3.jsonl"]) >= 240
    for messages in sets.values():
        assert {m["lang"] for m in messages} == {"en", "ru"}
        for lang in ("en", "ru"):
            in_lang = [m for m in messages if m["lang"] == lang]
            assert 0.4 <= sum(m["solicit"] for m in in_lang) / len(in_lang) <= 0.6
            assert 0.4 <= len(in_lang) / len(messages) <= 0.6
    texts = [m["text"] for messages in sets.values() for m in messages]
    assert len(texts) == len(set(texts)), "a message appears twice"


@pytest.mark.django_db
@pytest.mark.parametrize("name", LABELLED)
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_R_DSP_8_precision_and_recall_on_the_labelled_sets_per_language(name, lang):
    """R-DSP-8 is done when the stored patterns reach precision and recall of at least 98% in
    each language on every labelled set, including the held-out set written before tuning."""
    true_pos = false_pos = false_neg = 0
    mistakes = []
    for message in load(name):
        if message["lang"] != lang:
            continue
        is_flagged = bool(find_solicitation(message["text"]))
        true_pos += is_flagged and message["solicit"]
        false_pos += is_flagged and not message["solicit"]
        false_neg += not is_flagged and message["solicit"]
        if is_flagged != message["solicit"]:
            mistakes.append(message["text"])

    assert true_pos / (true_pos + false_pos) >= 0.98, mistakes
    assert true_pos / (true_pos + false_neg) >= 0.98, mistakes


@pytest.mark.django_db
def test_R_DSP_8_the_data_migration_replaces_unedited_defaults_and_keeps_staff_edits():
    from django.apps import apps

    migration = importlib.import_module("arbitration.migrations.0009_solicitation_patterns_by_intent")
    shipped_0002 = migration._shipped_before()
    SolicitationPattern.objects.filter(name="paypal").update(pattern=shipped_0002["paypal"]["pattern"])
    SolicitationPattern.objects.filter(name="messenger").update(pattern=r"whatsapp|zorblax", intent="close")
    SolicitationPattern.objects.filter(name="refusal-en").delete()
    SolicitationPattern.objects.create(name="staff-own", pattern=r"zelle")

    migration.ship_patterns_by_intent(apps, None)

    stored = {p.name: p for p in SolicitationPattern.objects.all()}
    assert stored["paypal"].pattern == next(r for r in migration.PATTERNS if r["name"] == "paypal")["pattern"]
    assert stored["messenger"].pattern == r"whatsapp|zorblax"  # a supervisor's edit is kept
    assert stored["messenger"].intent == "off-platform"  # and gets its intent
    assert stored["refusal-en"].intent == "exempt" and stored["refusal-en"].is_active
    assert stored["staff-own"].intent == "off-platform" and stored["staff-own"].pattern == "zelle"

    migration.restore_patterns_of_0002(apps, None)

    assert SolicitationPattern.objects.get(name="paypal").pattern == shipped_0002["paypal"]["pattern"]
    assert not SolicitationPattern.objects.filter(name="refusal-en").exists()
    assert not SolicitationPattern.objects.filter(intent="exempt", is_active=True).exists()


@pytest.mark.django_db
def test_R_DSP_8_the_round2_migration_replaces_patterns_as_0009_shipped_them_and_keeps_staff_edits():
    from django.apps import apps

    migration = importlib.import_module("arbitration.migrations.0013_solic2_solicitation_patterns_round2")
    shipped_0009 = migration._shipped_before()
    SolicitationPattern.objects.filter(name="refusal-en").update(
        pattern=shipped_0009["refusal-en"]["pattern"]
    )
    SolicitationPattern.objects.filter(name="messenger").update(pattern=r"whatsapp|zorblax")

    migration.ship_round2_patterns(apps, None)

    stored = {p.name: p for p in SolicitationPattern.objects.all()}
    assert (
        stored["refusal-en"].pattern
        == next(r for r in migration.PATTERNS if r["name"] == "refusal-en")["pattern"]
    )
    assert stored["messenger"].pattern == r"whatsapp|zorblax"  # a supervisor's edit is kept

    migration.restore_patterns_of_0009(apps, None)

    assert SolicitationPattern.objects.get(name="refusal-en").pattern == shipped_0009["refusal-en"]["pattern"]
    assert SolicitationPattern.objects.get(name="messenger").pattern == r"whatsapp|zorblax"


# --- Round 2: general coverage (normalisation, vocabulary classes, negation scope) ----------------


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("telegrm", "telegram"),  # a letter dropped
        ("paypall", "paypal"),  # a letter added
        ("instagarm", "instagram"),  # two letters swapped
        ("wahtsapp", "whatsapp"),
        ("fcebook", "facebook"),
        ("cloooose", "close"),  # a letter held down
    ],
)
def test_R_DSP_8_round2_normalize_reads_a_brand_name_one_slip_away_and_held_letters(written, read):
    assert normalize(written) == read


def test_R_DSP_8_round2_normalize_leaves_ordinary_words_near_a_brand_name_and_numbers_alone():
    text = "the finance team discarded the skills of the seller, revolt, 1000 usd, www"
    assert normalize(text) == "the finance team discarded the skills of the seller revolt 1000 usd w"


@pytest.mark.parametrize(
    "message",
    [
        "napishi na pochtu, obsudim vozvrat",
        "vozvrashchu dengi na tinkoff esli zakroesh spor",
        "Верну 300 грн на карту, закройте спор",
        "отмените спор, скину косарь",
        "Close the dispute and get 2k back",
        "Write me on Threema",
        "Reach out on Line app, id shopmax",
        "Давайте в Макс, там удобнее",
        "Get in touch via my website chat, link in bio",
        "Мы никогда так не делаем, но давайте в телеграм",
    ],
)
def test_R_DSP_8_round2_slang_currencies_messengers_and_transliterated_singular_forms_are_flagged(message):
    assert flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "Мы никогда не попросим вас закрыть спор.",
        "Будьте бдительны: вам могут написать в телеграм якобы от нас.",
        "Your Qiwi wallet is not supported for refunds by the platform.",
        "Someone posing as our shop may text you on WhatsApp.",
    ],
)
def test_R_DSP_8_round2_future_refusals_impersonation_warnings_and_unsupported_channels_are_not_flagged(
    message,
):
    assert not flagged(message)


# --- Round 3: kinds of phrasing found by the round-3 held-out set ---------------------------------


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("teleggramm", "telegram"),
        ("cllose", "close"),
        ("теллеграмм", "телеграм"),
        ("вотсаапп", "вотсап"),
        ("заккройте", "закройте"),
        ("спорр", "спор"),
    ],
)
def test_R_DSP_8_round3_normalize_reads_a_letter_typed_twice_in_a_watched_word_as_once(written, read):
    assert normalize(written) == read


def test_R_DSP_8_round3_normalize_leaves_ordinary_words_with_double_letters_alone():
    text = "all good class, the coffee will arrive. касса, ссылка, ванна, длинный"
    assert normalize(text) == "all good class the coffee will arrive. касса ссылка ванна длинный"


@pytest.mark.parametrize(
    "message",
    [
        "Mail me: jack dot parts at hotmail dot com, I'll sort the refund",
        "address is shop_lee (at) gmail (dot) com",
        "напишите на vasilek собака yandex точка ru, решим",
        "почта: lavka(собачка)мейл.ру",
    ],
)
def test_R_DSP_8_round3_an_email_address_spelled_out_in_words_is_flagged(message):
    assert intents(message) == {"off-platform"}


@pytest.mark.parametrize(
    "message",
    [
        "ring me, nine four seven, two two one, eight eight zero six",
        "my cell: plus one four one five five five five",
        "номер: восемь девятьсот двадцать шесть, четыреста десять, двадцать два, ноль один",
        "звякните на плюс семь 9 два шесть",
    ],
)
def test_R_DSP_8_round3_a_phone_number_spelled_out_in_words_is_flagged(message):
    assert intents(message) == {"off-platform"}


@pytest.mark.parametrize(
    "message",
    [
        "Tracking: 12 34 56 78 90 11 22, arrived at sorting",
        "I counted one two three four five six seven screws",
        "Часы без поддержки NFC, как в описании.",
        "Works without support for 5G, as the listing says.",
        "Не нужно ждать арбитра: я уже предложил полный возврат в споре.",
    ],
)
def test_R_DSP_8_round3_digits_alone_counting_and_missing_features_are_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "Let's just settle it face to face, only you and me",
        "Rather than going through the mediator, tell me what you need",
        "I'd prefer to handle this with you personally rather than involve the arbiter",
        "Don't tell the moderator, I'll just send you the money",
        "Зачем нам арбитр? Разберёмся лично",
        "Не пишите арбитру, я сам всё верну",
        "Давайте с глазу на глаз, а не через площадку",
        "Не через сайт давайте, а напрямую",
    ],
)
def test_R_DSP_8_round3_settling_one_to_one_or_leaving_the_arbiter_out_is_flagged(message):
    assert flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "Would you rescind your claim today?",
        "Kindly retire the complaint, I'm sorting it",
        "Please quash the dispute, it was a mix-up",
        "Let's wrap up the claim, I'll make it worth your while",
        "Put the complaint to rest and I'll send a bonus item",
        "Отзовите, пожалуйста, жалобу, всё уладим",
        "Сворачивайте спор, вышлю новый",
        "Погасите претензию, компенсирую",
    ],
)
def test_R_DSP_8_round3_more_verbs_of_taking_a_claim_back_are_flagged(message):
    assert "close" in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "If you cancel, a new blender is yours free",
        "once you withdraw, 20% back on your next order",
        "A free charger ships with your next order as soon as the complaint vanishes",
        "Отзовёте — вышлю второй комплект бесплатно",
        "Снимете — положу в посылку подарок",
    ],
)
def test_R_DSP_8_round3_a_bare_closing_verb_or_a_vanishing_dispute_as_a_condition_is_flagged(message):
    assert "benefit" in intents(message)


@pytest.mark.parametrize(
    "message", ["paypal? 30 euros back", "your phone?", "сбер? 700р скину", "ваш телефон?"]
)
def test_R_DSP_8_round3_elliptical_offers_and_contact_questions_are_flagged(message):
    assert intents(message) == {"off-platform"}


@pytest.mark.parametrize(
    "message",
    [
        "catch me on the gram, we'll figure out the cash",
        "let's move this off-site, I'll pay you there",
        "маякни в тележку, порешаем",
        "тел3грам @lavka_spb",
    ],
)
def test_R_DSP_8_round3_slang_names_and_leet_in_russian_brand_names_are_flagged(message):
    assert intents(message) == {"off-platform"}


@pytest.mark.parametrize(
    "message",
    [
        "write me on teleggramm, faster",
        "cllose the dispute and I send a new one",
        "пишите в ватсаапп, отвечу",
        "заккройте спорр, верну деньги",
    ],
)
def test_R_DSP_8_round3_doubled_letters_in_brand_names_and_verbs_are_flagged(message):
    assert flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "The seller asked me to pay him on Venmo instead, is that okay?",
        "This seller keeps asking me to message him on WhatsApp. Reporting.",
        "Продавец просит перевести деньги на карту мимо сайта, это нормально?",
        "Продавец написал мне в вотсап, я ему не ответила.",
    ],
)
def test_R_DSP_8_round3_a_buyer_reporting_what_the_seller_asked_is_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "The tablet comes with Skype and Viber preinstalled.",
        "Does it show notifications from Telegram on the lock screen?",
        "I found your listing on Instagram last week.",
        "Увидела ваш товар в инстаграме у блогера.",
        "На часах приходят уведомления из телеграма?",
    ],
)
def test_R_DSP_8_round3_a_messenger_named_as_a_feature_or_where_the_shop_was_found_is_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "We don't reply on Viber, please write in this chat.",
        "I can't answer on WhatsApp, only here.",
        "Переводить деньги на карту не имею права.",
        "Номер телефона не дам, общаемся здесь.",
    ],
)
def test_R_DSP_8_round3_refusals_to_answer_or_give_a_contact_and_having_no_right_are_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "I already cancelled the dispute myself, the package turned up.",
        "We have withdrawn our claim, thanks for the quick help.",
        "Я уже сама отменила спор, всё пришло.",
        "Мы закрыли претензию, спасибо.",
    ],
)
def test_R_DSP_8_round3_the_writer_telling_they_closed_the_dispute_themselves_is_not_flagged(message):
    assert not flagged(message)


@pytest.mark.django_db
def test_R_DSP_8_round3_the_migration_replaces_patterns_as_0013_shipped_them_adds_new_ones_and_keeps_edits():
    from django.apps import apps

    migration = importlib.import_module("arbitration.migrations.0018_solic3_solicitation_patterns_round3")
    shipped_0013 = migration._shipped_before()
    new_names = {row["name"] for row in migration.PATTERNS} - set(shipped_0013)
    assert new_names == {"closed-by-the-writer", "messenger-as-app-or-source"}
    SolicitationPattern.objects.filter(name="refusal-en").update(
        pattern=shipped_0013["refusal-en"]["pattern"]
    )
    SolicitationPattern.objects.filter(name="messenger").update(pattern=r"whatsapp|zorblax")
    SolicitationPattern.objects.filter(name__in=new_names).delete()

    migration.ship_round3_patterns(apps, None)

    stored = {p.name: p for p in SolicitationPattern.objects.all()}
    shipped = {row["name"]: row for row in migration.PATTERNS}
    assert stored["refusal-en"].pattern == shipped["refusal-en"]["pattern"]
    assert stored["messenger"].pattern == r"whatsapp|zorblax"  # a supervisor's edit is kept
    for name in new_names:
        assert stored[name].pattern == shipped[name]["pattern"] and stored[name].intent == "exempt"
        assert stored[name].is_active

    migration.restore_patterns_of_0013(apps, None)

    assert SolicitationPattern.objects.get(name="refusal-en").pattern == shipped_0013["refusal-en"]["pattern"]
    assert SolicitationPattern.objects.get(name="messenger").pattern == r"whatsapp|zorblax"
    assert not SolicitationPattern.objects.filter(name__in=new_names).exists()


@pytest.mark.parametrize(
    "message",
    [
        "Tell support you're happy with the item and I'll add a gift",
        "Let the platform know you have no complaints, ok?",
        "Сообщите поддержке, что претензий больше нет, и я сделаю скидку",
        "Напишите арбитру, что всё в порядке",
    ],
)
def test_R_DSP_8_round3_asking_to_tell_the_platform_all_is_well_is_a_request_to_close(message):
    assert "close" in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "Tell support the item never arrived.",
        "Let the platform know you are not happy with it.",
        "Сообщите поддержке, что товар не получен.",
        "Напишите в поддержку, что проблема не решена, они помогут.",
    ],
)
def test_R_DSP_8_round3_telling_the_platform_something_is_wrong_is_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "I'll send it back via Alipay today",
        "Can refund you with Apple Pay, just send your number",
        "переведу на Альфу, скажите номер",
        "Верну через Монобанк сегодня же",
    ],
)
def test_R_DSP_8_round3_banks_and_payment_apps_named_with_an_offer_to_send_money_are_flagged(message):
    assert intents(message) == {"off-platform"}


@pytest.mark.parametrize(
    "message",
    [
        "Alipay was how I paid, on the site.",
        "Apple Pay was charged twice at checkout.",
        "Оплатила через Альфу при заказе, чек во вложении.",
        "Можно оплатить заказ Google Pay на сайте?",
    ],
)
def test_R_DSP_8_round3_banks_and_payment_apps_named_alone_are_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "my gmail is ann.store, write there",
        "text me at 555 0147",
        "Give me a call, number is on the box",
        "Let's talk on the phone, quicker",
        "мой имейл lavka-spb, пишите",
    ],
)
def test_R_DSP_8_round3_a_phone_call_or_mailbox_offered_in_other_words_is_flagged(message):
    assert intents(message) == {"off-platform"}


@pytest.mark.parametrize(
    "message",
    [
        "Text me here when it ships.",
        "Call the courier, his number is on the tracking page.",
        "My email didn't get the tracking, can you post it here?",
        "Я не получал писем на почту от вас.",
    ],
)
def test_R_DSP_8_round3_contacts_named_for_this_chat_or_the_courier_are_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "I never got any message from you on WhatsApp, only here.",
        "I didn't write to you on Telegram, that wasn't me.",
        "Sorry, no Viber or Skype, just here please.",
        "Мне никто в вотсап не писал, только здесь.",
        "Телеграма у нас нет, только в этом чате.",
    ],
)
def test_R_DSP_8_round3_a_messenger_denied_in_the_past_or_refused_for_only_this_chat_is_not_flagged(message):
    assert not flagged(message)


@pytest.mark.parametrize(
    "message",
    [
        "I can make it right outside of this chat",
        "lets finish this outside, I'm fair",
        "ping me on tele, same nick as here",
        "email me pls",
        "Shoot me an email and we'll sort it",
        "Пишите на мыло, там решим",
    ],
)
def test_R_DSP_8_round3_leaving_this_chat_or_asking_for_an_email_in_short_is_flagged(message):
    assert intents(message) == {"off-platform"}


@pytest.mark.parametrize(
    "message",
    ["Dispute - close please. Money back today.", "It would help me a lot if the complaint went away"],
)
def test_R_DSP_8_round3_the_dispute_named_first_or_wished_away_is_a_request_to_close(message):
    assert "close" in intents(message)


@pytest.mark.parametrize(
    "message",
    [
        "The phone supports WhatsApp calls over Wi-Fi.",
        "Can I pay for the return label by card here?",
        "My Telegram got hacked, so I only use this chat now.",
        "What's your order number?",
        "Часы поддерживают звонки в вотсап.",
    ],
)
def test_R_DSP_8_round3_a_feature_a_buyer_s_question_or_an_order_number_is_not_flagged(message):
    assert not flagged(message)
