"""R-DSP-8, round 4: the trained classifier beside the patterns.

The classifier (``arbitration/solicitation/classifier.py``) scores a seller message that no
pattern flags; its weights are committed as JSON and re-trained from the labelled sets by
``manage.py train_solicitation_classifier`` (``training.py``). These tests use sentences
written for them, not taken from any labelled set; the held-out set
``solicitation_holdout_round4.jsonl`` is measured by ``bench/solicitation_eval.py`` only.
"""

from __future__ import annotations

import importlib
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from arbitration import services
from arbitration.models import Message, SolicitationClassifierSetting, SolicitationPattern
from arbitration.presentation.texts import seller_flag_warning
from arbitration.solicitation import DEFAULT_PATTERNS, flag_explanations, text_variants
from arbitration.solicitation.classifier import CLASSIFIER, WEIGHTS_PATH, Classifier, default_classifier
from arbitration.solicitation.detector import find_solicitation
from arbitration.solicitation.training import (
    DATA,
    HELD_OUT,
    TRAINING_SETS,
    choose_threshold,
    dumps,
    load_sets,
    out_of_set_models,
    train,
)
from tests.arbitration.conftest import OPENED, at, open_dispute

# Solicitations no default pattern matches (euphemisms for closing, a gift without a money
# word, transliterated Russian): the classifier's kinds.
MISSED_BY_PATTERNS = [
    "End the argument here and I'll add a bonus to your box.",
    "Завершите разбирательство, а я вам подарю второй комплект.",
    "Давайте закончим с этим спором, я вас отблагодарю.",
    "davai zakonchim etot spor, ya otblagodaryu",
]
# The false-alarm kinds: refusals, warnings, how the buyer paid, the refund route, messengers
# as features, tracking and order numbers, in both languages.
INNOCENT = [
    "I refuse to take payment outside the platform, sorry.",
    "Some sellers will ask you to pay on WhatsApp; please don't.",
    "The refund goes back to the card you used, automatically.",
    "My tracking number is 1Z999AA10123456784.",
    "The earphones support Telegram voice calls.",
    "Я оплатил картой на сайте.",
    "Возврат придёт на карту, с которой вы платили.",
    "Трек-номер посылки RR987654321CN.",
    "Никогда не переводите деньги продавцам напрямую.",
]


def _model() -> Classifier:
    model = default_classifier()
    assert model is not None, "classifier_weights.json is committed"
    return model


@pytest.mark.parametrize("text", MISSED_BY_PATTERNS)
def test_R_DSP_8_round4_the_classifier_catches_kinds_the_patterns_miss(text):
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS, classifier=False) == []

    flags = find_solicitation(text, patterns=DEFAULT_PATTERNS)

    assert [(f["pattern"], f["intent"]) for f in flags] == [(CLASSIFIER, CLASSIFIER)]
    assert flags[0]["score"] >= _model().threshold and flags[0]["matched"]


@pytest.mark.parametrize("text", INNOCENT)
def test_R_DSP_8_round4_the_classifier_does_not_flag_the_false_alarm_kinds(text):
    assert _model().score(text) < _model().threshold
    assert not [f for f in find_solicitation(text, patterns=DEFAULT_PATTERNS) if f["intent"] == CLASSIFIER]


def test_R_DSP_8_round4_the_classifier_only_adds_to_the_patterns():
    """A message a pattern flags keeps the patterns' flags and explanations, nothing else."""
    text = "Write me on Telegram @shop and close the dispute"

    flags = find_solicitation(text, patterns=DEFAULT_PATTERNS)

    assert flags == find_solicitation(text, patterns=DEFAULT_PATTERNS, classifier=False)
    assert flags and CLASSIFIER not in [f["pattern"] for f in flags]


def test_R_DSP_8_round4_a_classifier_flag_explains_itself_with_score_and_weighted_words():
    text = "Давайте закончим с этим спором, я вас отблагодарю."
    [flag] = find_solicitation(text, patterns=DEFAULT_PATTERNS)
    words = flag["matched"].split(", ")
    message = SimpleNamespace(solicitation_patterns=[flag])

    assert 1 <= len(words) <= 3 and set(words) <= set(text_variants(text)[0].replace(". ", " ").split())
    assert flag_explanations(message) == [
        f"Classifier score {flag['score']:.2f}, no pattern matched; most weighted words: “{flag['matched']}”"
    ]
    with translation.override("ru"):
        assert flag_explanations(message) == [
            f"Оценка классификатора {flag['score']:.2f}, ни один шаблон не совпал; "
            f"самые весомые слова: «{flag['matched']}»"
        ]


@pytest.mark.django_db
def test_R_DSP_8_round4_a_classifier_flag_is_posted_counted_and_shown_in_the_admin(people, client):
    """Still a warning, never a block: the message is stored, flagged and counted; the admin
    shows the classifier's explanation where it shows the patterns'; the seller is told why."""
    text = "End the argument here and I'll add a bonus to your box."
    dispute = open_dispute(people)
    with at(OPENED):
        message = services.dispute_post_message(dispute=dispute, actor=people.seller, body=text)

    stored = Message.objects.get(pk=message.pk)
    dispute.refresh_from_db()
    assert stored.body == text and stored.is_flagged and dispute.solicitation_flags == 1
    assert [f["pattern"] for f in stored.solicitation_patterns] == [CLASSIFIER]
    assert "Reads like a request to close the dispute or to leave the platform" in seller_flag_warning(stored)

    client.force_login(people.supervisor)
    explained = "Classifier score"
    case_page = client.get(reverse("admin:arbitration_dispute_change", args=[dispute.pk]))
    message_list = client.get(reverse("admin:arbitration_message_changelist"))
    assert case_page.status_code == 200 and explained in case_page.content.decode()
    assert message_list.status_code == 200 and explained in message_list.content.decode()


def test_R_DSP_8_round4_retraining_from_the_committed_data_gives_the_committed_weights():
    """Reproducibility: the weights file is what the labelled sets give (the thresholds, chosen
    by cross-validation, are kept; ``manage.py train_solicitation_classifier --check`` redoes
    that too)."""
    committed = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))

    retrained = train(
        load_sets(),
        threshold=committed["threshold"],
        veto=committed["veto_threshold"],
        name_veto=committed["name_veto_threshold"],
    )

    assert dumps(retrained) == WEIGHTS_PATH.read_text(encoding="utf-8")


def test_R_DSP_8_round19_the_cross_validation_gives_the_same_models_in_one_process_or_several():
    """The leave-one-set-out fits run in a process per CPU; each is the same seeded fit, so the
    thresholds chosen from them can't depend on the machine's number of cores."""
    examples = load_sets(
        [
            "solicitation_holdout_round2.jsonl",
            "solicitation_holdout_round3.jsonl",
            "solicitation_holdout_round5.jsonl",
        ]
    )

    alone, forked = out_of_set_models(examples, jobs=1), out_of_set_models(examples, jobs=2)

    assert list(alone) == list(forked) == sorted({example.source for example in examples})
    for source, model in alone.items():
        assert (model.weights, model.bias) == (forked[source].weights, forked[source].bias)
        assert model.weights  # a fitted model, not two empty ones


def test_R_DSP_8_round4_the_held_out_set_is_never_trained_on_and_is_balanced():
    assert not set(HELD_OUT) & set(TRAINING_SETS)
    assert json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))["training_sets"] == list(TRAINING_SETS)
    for held_out in HELD_OUT:
        lines = (DATA / held_out).read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines if line]
        cells = {(lang, label): 0 for lang in ("en", "ru") for label in (True, False)}
        for row in rows:
            cells[row["lang"], row["solicit"]] += 1
        assert len(rows) >= 200 and len(set(cells.values())) == 1


@pytest.mark.parametrize(
    ("labelled_set", "at_least", "same_text_once", "says_who"),
    [
        ("solicitation_holdout_round5.jsonl", 200, False, False),
        ("solicitation_holdout_round6.jsonl", 240, False, False),
        ("solicitation_holdout_round7.jsonl", 240, True, False),
        ("solicitation_holdout_round8.jsonl", 240, True, False),
        ("solicitation_holdout_round9.jsonl", 256, True, False),
        ("solicitation_holdout_round10.jsonl", 288, True, False),
        ("solicitation_holdout_round11.jsonl", 288, True, False),
        ("solicitation_holdout_round12.jsonl", 288, True, True),
        ("solicitation_holdout_round13_a.jsonl", 288, True, True),
        ("solicitation_holdout_round13_b.jsonl", 288, True, True),
        ("solicitation_holdout_round14_a.jsonl", 288, True, True),
        ("solicitation_holdout_round14_b.jsonl", 288, True, True),
        ("solicitation_holdout_round15_a.jsonl", 288, True, True),
        ("solicitation_holdout_round15_b.jsonl", 288, True, True),
        ("solicitation_holdout_round16_a.jsonl", 288, True, True),
        ("solicitation_holdout_round16_b.jsonl", 288, True, True),
        ("solicitation_holdout_round17_a.jsonl", 288, True, True),
        ("solicitation_holdout_round17_b.jsonl", 288, True, True),
        ("solicitation_holdout_round18_a.jsonl", 288, True, True),
        ("solicitation_holdout_round18_b.jsonl", 288, True, True),
        ("solicitation_holdout_round19_a.jsonl", 288, True, True),
        ("solicitation_holdout_round19_b.jsonl", 288, True, True),
        ("solicitation_holdout_round20_a.jsonl", 288, True, True),
        ("solicitation_holdout_round20_b.jsonl", 288, True, True),
        ("solicitation_holdout_round21_a.jsonl", 288, True, True),
        ("solicitation_holdout_round21_b.jsonl", 288, True, True),
        ("solicitation_holdout_round22_a.jsonl", 288, True, True),
        ("solicitation_holdout_round22_b.jsonl", 288, True, True),
        ("solicitation_holdout_round23_a.jsonl", 288, True, True),
        ("solicitation_holdout_round23_b.jsonl", 288, True, True),
        ("solicitation_holdout_round24_a.jsonl", 288, True, True),
        ("solicitation_holdout_round24_b.jsonl", 288, True, True),
        ("solicitation_holdout_round25_a.jsonl", 288, True, True),
        ("solicitation_holdout_round25_b.jsonl", 288, True, True),
        ("solicitation_holdout_round26_a.jsonl", 288, True, True),
        ("solicitation_holdout_round26_b.jsonl", 288, True, True),
    ],
)
def test_R_DSP_8_rounds_5_to_26_each_held_out_set_is_balanced(
    labelled_set, at_least, same_text_once, says_who
):
    """R-DSP-8: each round's held-out set (written before its author read the detector) has as
    many messages in each language and label, a kind for each, and (from round 7) no message
    twice; from round 12 each says who writes it, and every ask is a seller's (the product reads
    only sellers' messages)."""
    lines = (DATA / labelled_set).read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line]
    cells = {(lang, label): 0 for lang in ("en", "ru") for label in (True, False)}
    for row in rows:
        cells[row["lang"], row["solicit"]] += 1
        assert row["kind"]
    assert len(rows) >= at_least and set(cells.values()) == {len(rows) // 4}
    speakers = [(row["speaker"], row["solicit"]) for row in rows if "speaker" in row]
    assert all(who == "seller" or (who == "buyer" and not ask) for who, ask in speakers)
    assert len(speakers) == (len(rows) if says_who else 0)
    if same_text_once:
        assert len({row["text"] for row in rows}) == len(rows)


def test_R_DSP_8_round10_only_the_newest_held_out_set_is_kept_from_training():
    """The held-out sets of rounds 4 to 25 were each measured and their errors read: they train
    the classifier now. Round 26's two sets are measured, never trained on."""
    assert HELD_OUT == ("solicitation_holdout_round26_a.jsonl", "solicitation_holdout_round26_b.jsonl")
    assert not set(HELD_OUT) & set(TRAINING_SETS)
    spent = {f"solicitation_holdout_round{n}.jsonl" for n in range(4, 13)}
    spent |= {
        f"solicitation_holdout_round{n}_{w}.jsonl"
        for n in (13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25)
        for w in ("a", "b")
    }
    assert spent <= set(TRAINING_SETS)


def test_R_DSP_8_round26_a_buyers_line_is_never_trained_on(tmp_path):
    """The product never scores a buyer's message, and a buyer's ask is labelled innocent for
    that reason: trained on, it taught the classifier to overrule a seller's same words."""
    lines = [
        {"text": "Скиньте номер карты, я доплачу.", "solicit": False, "lang": "ru", "speaker": "buyer"},
        {"text": "Скиньте номер карты, верну деньги.", "solicit": True, "lang": "ru", "speaker": "seller"},
        {"text": "Send me your card number.", "solicit": True, "lang": "en"},
    ]
    (tmp_path / "set.jsonl").write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")

    examples = load_sets(["set.jsonl"], data=tmp_path)

    assert [(e.text, e.solicit) for e in examples] == [(lines[1]["text"], True), (lines[2]["text"], True)]


def test_R_DSP_8_round6_ships_ordinary_chat_for_the_classifier_to_train_on():
    assert "solicitation_training_round6.jsonl" in TRAINING_SETS


def test_R_DSP_8_round4_the_threshold_is_the_lowest_with_the_target_precision_in_each_language():
    examples = [
        SimpleNamespace(lang=lang, solicit=solicit)
        for lang in ("en", "ru")
        for solicit in (True, False, True)
    ]
    # per language: a solicitation at 0.9, an innocent message at 0.6, a solicitation at 0.55
    scores = [0.9, 0.6, 0.55, 0.9, 0.6, 0.55]

    assert choose_threshold(examples, scores) == 0.61  # type: ignore[arg-type]


def test_R_DSP_8_round4_the_check_command_fails_when_the_weights_differ(tmp_path, monkeypatch):
    changed = tmp_path / "classifier_weights.json"
    committed = WEIGHTS_PATH.read_text(encoding="utf-8")
    changed.write_text(committed.replace('"bias": ', '"bias": 1'), encoding="utf-8")
    monkeypatch.setattr("arbitration.management.commands.train_solicitation_classifier.WEIGHTS_PATH", changed)
    committed = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    thresholds = [
        f"--threshold={committed['threshold']}",
        f"--veto={committed['veto_threshold']}",
        f"--name-veto={committed['name_veto_threshold']}",
    ]

    with pytest.raises(CommandError):
        call_command("train_solicitation_classifier", "--check", *thresholds)


@pytest.mark.django_db
def test_R_DSP_8_round4_supervisors_switch_the_classifier_off_or_change_its_threshold_without_a_deploy():
    text = "End the argument here and I'll add a bonus to your box."
    assert SolicitationClassifierSetting.objects.filter(pk=1, is_active=True, threshold=None).exists()
    assert [f["pattern"] for f in find_solicitation(text)] == [CLASSIFIER]

    setting = SolicitationClassifierSetting.current()
    setting.threshold = Decimal("0.99")
    setting.save()
    assert find_solicitation(text) == []

    setting.threshold, setting.is_active = None, False
    setting.save()
    assert find_solicitation(text) == []
    assert [f["pattern"] for f in find_solicitation("Please close the dispute.")] == [
        "close-dispute-request-en"
    ]


@pytest.mark.django_db
def test_R_DSP_8_round4_the_classifier_setting_is_edited_in_the_admin_by_supervisors_only(people, client):
    url = reverse("admin:arbitration_solicitationclassifiersetting_change", args=[1])

    client.force_login(people.arbiter)
    assert client.get(url).status_code == 200  # arbiters read it
    assert client.post(url, {"threshold": "0.90"}).status_code == 403

    client.force_login(people.supervisor)
    page = client.get(url)
    answer = client.post(url, {"is_active": "on", "threshold": "0.90"})

    assert page.status_code == 200 and f"{_model().threshold:.2f}" in page.content.decode()
    assert answer.status_code == 302
    setting = SolicitationClassifierSetting.objects.get(pk=1)
    assert setting.threshold == Decimal("0.90") and setting.updated_by == people.supervisor
    assert (
        client.post(url, {"is_active": "on", "threshold": "0.30"}).status_code == 200
    )  # refused: below 0.50
    assert SolicitationClassifierSetting.objects.get(pk=1).threshold == Decimal("0.90")


# --- Round 5: precision. The false alarms left were the patterns': a messenger named as what a
# device does, a refusal in the first person, the writer closing the dispute themselves. Each is
# checked with the whole detector (patterns and classifier), in both languages.

ROUND5_DEVICE_FEATURES = [
    "The speaker reads out WhatsApp messages once it is paired with the phone.",
    "Telegram notifications on the band work after you enable them in the settings.",
    "The tablet runs Discord and Zoom without lag.",
    "The watch displays messages from WhatsApp, Telegram and Signal.",
    "The hearing aid streams WhatsApp calls straight to your ears.",
    "The laptop camera works fine in Zoom, Skype and Discord.",
    "The e-reader can't open Telegram, it is a reader, not a phone.",
    "Колонка зачитывает сообщения из Телеграма.",
    "Часы показывают уведомления WhatsApp и Viber.",
    "Планшет запускает Discord и Zoom без проблем.",
    "Экран машины отображает ватсап через CarPlay.",
    "Часы вибрируют на уведомления из ватсапа и телеграма.",
]
ROUND5_REFUSALS = [
    "We don't move to WhatsApp, please write here.",
    "We never do deals in Telegram, everything goes through the platform.",
    "I'm not going to pay you through Venmo, that's against the rules.",
    "Please don't send me your phone number.",
    "No Telegram, no Viber, only this dispute chat.",
    "A buyer once wanted me to pay him on Zelle, I said no.",
    "Someone asked me to move to Viber, it was a scam, so I stay on the site.",
    "Мы не уходим в WhatsApp, пишите здесь.",
    "Сделки в Телеграме не проводим.",
    "Я не собираюсь платить вам через Сбербанк, это против правил.",
    "Кто-то предлагал мне перейти в Вайбер, оказалось мошенничество, поэтому я на сайте.",
    "Никаких вайберов, всё в чате заказа.",
]
ROUND5_CLOSING_THEMSELVES = [
    "I'll close the dispute myself once the refund shows up on the site.",
    "The replacement arrived, I'm closing the case now.",
    "I decided to cancel my complaint since you sent the missing part.",
    "I'll close it myself when I get the money back through the site.",
    "Ok, closing my dispute, thanks for the quick help.",
    "The platform will close the dispute automatically in 15 days.",
    "Я сам закрою спор, когда возврат придёт на сайте.",
    "Замену получила, закрываю претензию.",
    "Отменю спор сама, как только увижу трек.",
    "Спор я закрою сама, когда придёт возврат.",
    "Хорошо, отзываю жалобу, посылка нашлась.",
    "Арбитр сам закроет спор через 15 дней.",
]
# The same words turned into asks: still flagged.
ROUND5_STILL_FLAGGED = [
    "Message me on WhatsApp.",
    "We can move to Telegram, I'll pay you there.",
    "The speaker reads messages fine, but write me on WhatsApp for a refund.",
    "We don't need the arbiter, message me on Telegram.",
    "I'm not going to argue, send me your PayPal and I refund.",
    "Never mind the arbiter, Telegram me @shop.",
    "I'll refund you myself if you close the case.",
    "Close the case and I'll send a new one.",
    "Напишите мне в Ватсап.",
    "Давайте перейдём в Телеграм, там заплачу.",
    "Мы не будем ждать арбитра, напишите мне в телеграм.",
    "Я не буду ждать, скиньте номер карты.",
    "Я не спорю, закройте спор и получите бонус.",
    "Закроем спор, и я вышлю новый.",
    "Я закрою заказ, а вы закройте спор.",
]


@pytest.mark.parametrize("text", ROUND5_DEVICE_FEATURES)
def test_R_DSP_8_round5_a_messenger_named_as_what_a_device_does_is_not_flagged(text):
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS) == []


@pytest.mark.parametrize("text", ROUND5_REFUSALS)
def test_R_DSP_8_round5_first_person_refusals_and_others_asking_before_are_not_flagged(text):
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS) == []


@pytest.mark.parametrize("text", ROUND5_CLOSING_THEMSELVES)
def test_R_DSP_8_round5_the_writer_or_the_arbiter_closing_the_dispute_is_not_flagged(text):
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS) == []


@pytest.mark.parametrize("text", ROUND5_STILL_FLAGGED)
def test_R_DSP_8_round5_the_same_words_turned_into_an_ask_are_still_flagged(text):
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS)


def test_R_DSP_8_round5_the_classifier_does_not_judge_the_words_an_exempt_pattern_covers():
    """A refusal the patterns exempt is hidden from the classifier too: "please don't send me
    your phone number" scores high on its words alone, and what is left ("please") is no ask."""
    model = _model()
    # (Round 10's classifier reads "Please do not give me your email, I don't need it." as the
    # refusal it is, and round 24's "Don't send me your WhatsApp number please.", so the example
    # changed.)
    text = "Please don't send me your e-mail."
    assert model.flag(text_variants(text)) is not None  # the words alone look like an ask

    assert find_solicitation(text, patterns=DEFAULT_PATTERNS) == []
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS, classifier=False) == []


@pytest.mark.django_db
def test_R_DSP_8_round5_the_migration_replaces_patterns_as_0018_shipped_them_adds_new_ones_and_keeps_edits():
    from django.apps import apps

    migration = importlib.import_module("arbitration.migrations.0022_solicitation_patterns_round5")
    shipped_0018 = migration._shipped_before()
    new_names = {row["name"] for row in migration.PATTERNS} - set(shipped_0018)
    assert new_names == {
        "channel-as-device-feature",
        "refusal-first-person",
        "others-asked-before",
        "closing-by-the-writer",
    }
    SolicitationPattern.objects.filter(name="refusal-ru").update(
        pattern=shipped_0018["refusal-ru"]["pattern"]
    )
    SolicitationPattern.objects.filter(name="refusal-en").update(pattern=r"we can t use paypal")
    SolicitationPattern.objects.filter(name__in=new_names).delete()

    migration.ship_round5_patterns(apps, None)

    stored = {p.name: p for p in SolicitationPattern.objects.all()}
    shipped = {row["name"]: row for row in migration.PATTERNS}
    assert stored["refusal-ru"].pattern == shipped["refusal-ru"]["pattern"]
    assert stored["refusal-en"].pattern == r"we can t use paypal"  # a supervisor's edit is kept
    for name in new_names:
        assert stored[name].pattern == shipped[name]["pattern"] and stored[name].intent == "exempt"
        assert stored[name].is_active

    migration.restore_patterns_of_0018(apps, None)

    assert SolicitationPattern.objects.get(name="refusal-ru").pattern == shipped_0018["refusal-ru"]["pattern"]
    assert SolicitationPattern.objects.get(name="refusal-en").pattern == r"we can t use paypal"
    assert not SolicitationPattern.objects.filter(name__in=new_names).exists()


# --- Round 6: the kinds of the sixth held-out set's errors, in both languages. Sentences written
# for these tests, none from a labelled set.

ROUND6_APPS_AS_GOODS = [
    "Teams Essentials subscription, 12 months, the key arrives by e-mail.",
    "The licence for Skype credits is sent after payment.",
    "The camera is certified for Zoom and Google Meet.",
    "The headset has a mute button for Teams calls.",
    "Does the Zoom licence come included with the conference camera?",
    "The smart plug comes with a Telegram bot for timers.",
    "Подписка Zoom Pro на год, ключ придёт на почту.",
    "Лицензия на Skype отправляется после оплаты.",
    "Гарнитура работает со Skype и Teams из коробки.",
    "На клавиатуре есть кнопки для WhatsApp и Telegram.",
    "Входит ли Zoom в подписку на камеру?",
    "Розетка настраивается через Телеграм-бота.",
]
ROUND6_CHANNEL_NOT_HAD_OR_GIVEN = [
    "Sorry, we don't have Viber at all.",
    "I'm not on Telegram, so let's keep it here.",
    "We are not going to give you our WhatsApp, the chat is enough.",
    "I have no PayPal, everything goes through the order.",
    "Bank transfers outside the marketplace are not something I offer.",
    "Простите, у нас нет телеграма.",
    "Я не пользуюсь вайбером, пишите здесь.",
    "Мы не дадим вам свой номер, общаемся в чате.",
    "Вотсапа у меня нет, только этот чат.",
]
ROUND6_CLOSING_AS_A_FACT = [
    "Closing the case is final, so check the parcel first.",
    "Withdrawing the claim cannot be undone later.",
    "A withdrawn dispute can't be reopened.",
    "I mistakenly closed the case yesterday, what now?",
    "My dispute was closed by the site after the refund.",
    "Закрытие спора окончательное, сначала проверьте посылку.",
    "Отзыв претензии нельзя отменить.",
    "Закрытый спор нельзя открыть снова.",
    "Я нечаянно отменил спор, что теперь делать?",
    "Моя претензия уже закрыта, спасибо.",
]
# Short ordinary chat that the classifier scored as an ask before it was trained on such chat.
ROUND6_SHORT_NEUTRAL = [
    "Есть вопрос",
    "Можно вопрос?",
    "Уже отправили?",
]
# The same words turned into asks, and the asks round 6 added: flagged.
ROUND6_STILL_FLAGGED = [
    "Forget the Zoom licence, close the dispute and I'll send two.",
    "I'm not on Telegram, but add me on WhatsApp +44 7700 900321.",
    "I don't have PayPal, send me your card number instead.",
    "Closing the case is the quickest, do it and get a gift.",
    "Let the claim disappear and you won't regret it.",
    "Ship date is the same moment you cancel the request: a new one is packed.",
    "Claim gone, free charger in the next box.",
    "Close now, bonus later.",
    "Tell the site we came to an agreement, I'll send the part.",
    "У меня нет вотсапа, пишите в телеграм @shop_ok.",
    "Лицензию Zoom дам бесплатно, если закроете спор.",
    "Пусть претензия исчезнет, я отблагодарю.",
    "Сделайте так, чтобы жалобы не было, я в долгу не останусь.",
    "Отзовите спор, и я вас не обижу.",
    "Напишите в поддержку, что мы договорились.",
    # Round 4's classifier caught this (0.8x); with round 6's training its score is under the new
    # threshold, and "остановите" joined the closing verbs.
    "Остановите спор, а я положу бонус в посылку.",
]


@pytest.mark.parametrize("text", ROUND6_APPS_AS_GOODS)
def test_R_DSP_8_round6_an_app_named_as_goods_is_not_flagged(text):
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS) == []


@pytest.mark.parametrize("text", ROUND6_CHANNEL_NOT_HAD_OR_GIVEN)
def test_R_DSP_8_round6_a_channel_the_writer_has_not_got_or_will_not_give_is_not_flagged(text):
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS) == []


@pytest.mark.parametrize("text", ROUND6_CLOSING_AS_A_FACT)
def test_R_DSP_8_round6_closing_told_as_a_fact_or_done_by_the_writer_is_not_flagged(text):
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS) == []


@pytest.mark.parametrize("text", ROUND6_SHORT_NEUTRAL)
def test_R_DSP_8_round6_the_classifier_does_not_flag_short_ordinary_chat(text):
    assert _model().score(text) < _model().threshold
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS) == []


@pytest.mark.parametrize("text", ROUND6_STILL_FLAGGED)
def test_R_DSP_8_round6_the_same_words_turned_into_an_ask_are_still_flagged(text):
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS, classifier=False)


def test_R_DSP_8_round6_a_flag_for_a_new_ask_explains_the_matched_words():
    [flag] = find_solicitation("Пусть жалоба исчезнет.", patterns=DEFAULT_PATTERNS)
    assert flag["intent"] == "close" and flag["matched"] == "пусть жалоба исчезнет"


@pytest.mark.django_db
def test_R_DSP_8_round6_the_migration_replaces_patterns_as_0022_shipped_them_adds_new_ones_and_keeps_edits():
    from django.apps import apps

    migration = importlib.import_module("arbitration.migrations.0023_solicitation_patterns_round6")
    shipped_0022 = migration._shipped_before()
    new_names = {row["name"] for row in migration.PATTERNS} - set(shipped_0022)
    assert new_names == {"app-as-goods", "channel-not-had-or-given", "closing-as-a-fact"}
    SolicitationPattern.objects.filter(name="close-dispute-request-ru").update(
        pattern=shipped_0022["close-dispute-request-ru"]["pattern"]
    )
    SolicitationPattern.objects.filter(name="refusal-en").update(pattern=r"we can t use paypal")
    SolicitationPattern.objects.filter(name__in=new_names).delete()

    migration.ship_round6_patterns(apps, None)

    stored = {p.name: p for p in SolicitationPattern.objects.all()}
    shipped = {row["name"]: row for row in migration.PATTERNS}
    assert stored["close-dispute-request-ru"].pattern == shipped["close-dispute-request-ru"]["pattern"]
    assert stored["refusal-en"].pattern == r"we can t use paypal"  # a supervisor's edit is kept
    for name in new_names:
        assert stored[name].pattern == shipped[name]["pattern"] and stored[name].intent == "exempt"
        assert stored[name].is_active

    migration.restore_patterns_of_0022(apps, None)

    restored = SolicitationPattern.objects.get(name="close-dispute-request-ru").pattern
    assert restored == shipped_0022["close-dispute-request-ru"]["pattern"]
    assert SolicitationPattern.objects.get(name="refusal-en").pattern == r"we can t use paypal"
    assert not SolicitationPattern.objects.filter(name__in=new_names).exists()


# Euphemisms for closing (hushing it up, the whole matter dropped, the dispute closed as a need),
# a messenger's short name before a bare number, telling support a deal was made.
ROUND6_EUPHEMISMS_AND_BARE_CONTACTS = [
    "Let's just forget the whole thing and handle it directly, ok?",
    "All I need is the claim withdrawn, then a spare arrives.",
    "wa 0799 123 456, text me",
    "tg 89161234567",
    "Tell the platform we worked it out.",
    "Может, замнём этот спор? Вышлю второй.",
    "Мне нужно, чтобы претензия была отозвана, тогда верну.",
    "Напишите арбитру, что мы договорились.",
    "Claim closed = new lamp for you.",
    "Спор закрыт — вышлю новый.",
]
# The same words, innocent: a question, the arbiter closing it, the platform's own route.
ROUND6_EUPHEMISM_WORDS_INNOCENT = [
    "Is the case closed now?",
    "I want the case closed by the arbiter, whatever he decides.",
    "We will deal with it directly through the platform.",
    "Your PayPal refund was issued by the marketplace on Monday.",
    "Спор уже закрыт?",
    "Такое не замять, пусть решает арбитр.",
]


@pytest.mark.parametrize("text", ROUND6_EUPHEMISMS_AND_BARE_CONTACTS)
def test_R_DSP_8_round6_euphemisms_and_a_messenger_with_a_bare_number_are_flagged(text):
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS, classifier=False)


@pytest.mark.parametrize("text", ROUND6_EUPHEMISM_WORDS_INNOCENT)
def test_R_DSP_8_round6_the_same_words_without_an_ask_are_not_flagged(text):
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS) == []


# --- Round 8: the kinds of the seventh held-out set's errors, in both languages. Sentences written
# for these tests, none from a labelled set; each kind has the innocent variants (not flagged) and
# the same words turned into an ask (flagged).

ROUND8_CALLS_WITH_GOODS = [
    "Do the headphones work ok for WhatsApp calls? Mine keep cutting out.",
    "Does the headset mic work well in Telegram calls?",
    "Will this webcam work for Viber video calls on a laptop?",
    "The sound cuts out during WhatsApp calls, is it the firmware?",
    "Is the microphone good enough for Discord voice chat?",
    "Наушники нормально работают в звонках вотсап? у меня прерывается",
    "Микрофон хорошо слышно при звонках в телеграме?",
    "Камера подойдёт для видеозвонков в вайбере?",
    "В звонках WhatsApp звук пропадает, это прошивка?",
]
ROUND8_CALLS_WITH_GOODS_ASKS = [
    "Do the earbuds work? Call me on WhatsApp and I'll explain.",
    "The mic works in Telegram calls, but message me on WhatsApp +44 7700 900123.",
    "Наушники работают, позвоните мне в вотсап, объясню.",
    "Звук в звонках нормальный, напишите мне в телеграм @shop_help.",
]
ROUND8_NOBODY_WILL_CONTACT_YOU = [
    "Nobody from our shop will ever contact you on Telegram or by email asking for money.",
    "No one from the shop will ask you to pay via PayPal or Zelle.",
    "None of our staff will message you on Telegram about refunds.",
    "No employee of ours will ever ask for your card number.",
    "Никто из нашего магазина не будет писать вам в WhatsApp или на почту с просьбой о деньгах.",
    "Никто из магазина никогда не попросит вас перевести деньги на карту.",
    "Ни один наш сотрудник не пишет покупателям в телеграм.",
    "Никто от нас не будет звонить вам в вотсап.",
]
ROUND8_NOBODY_ASKS = [
    "Nobody will know, just message me on WhatsApp.",
    "No one from the platform needs to see this, write me on Telegram.",
    "Nobody from our team will call you, but add me on WhatsApp +44 7700 900123.",
    "Никто не узнает, напишите мне в вайбер.",
    "Никто из поддержки не увидит, пишите в телеграм.",
    "Никто из нашей команды не пишет в Viber, но вы пишите мне в телеграм @shop_ok.",
]
ROUND8_OWN_CASE_CLOSED_NOW = [
    "Parcel came today, withdrawing my claim, thanks!",
    "Got the refund, I'm closing my dispute.",
    "All good, cancelling my complaint now",
    "Товар пришёл, закрываю свой спор. Хороший продавец",
    "Посылка пришла, отзываю претензию, спасибо!",
    "Деньги получила, закрываю жалобу сейчас.",
]
ROUND8_OWN_CASE_ASKS = [
    "Closing your case now gets you a gift in the next parcel.",
    "Please try closing the case now, I send bonus.",
    "I'm closing my case only if you send 30$ to my card.",
    "Закрывайте спор сейчас, вышлю подарок.",
    "Закройте жалобу, и получите бонус.",
]
ROUND8_BETWEEN_US_COMPARED = [
    "Разница между нами и конкурентами в гарантии.",
    "Между нами и вами нет недопонимания, всё решим в споре.",
    "The difference between us and other shops is the fabric quality.",
    "Between us and the factory there are two warehouses.",
]
ROUND8_BETWEEN_US_ASKS = [
    "Let's settle it between us, no dispute needed.",
    "Between us and without the site: close it, I pay 20$.",
    "Давайте решим между нами, без спора.",
    "We can sort it out between us and keep the site out of it.",
    "Давайте решим между нами и забудем про площадку.",
]
ROUND8_ACCOUNT_RUN_BY_SOMEONE_ELSE = [
    "My daughter runs our Instagram page, I only do the orders here.",
    "Our Facebook page is managed by an agency.",
    "Нашим инстаграмом занимается менеджер, а заказы я веду здесь.",
    "Моя дочь ведёт наш фейсбук, я только отвечаю на заказы.",
]
ROUND8_ACCOUNT_ASKS = [
    "My son handles my Facebook, so text me on WhatsApp instead.",
    "Мой сын ведёт мой фейсбук, поэтому пишите мне в вотсап.",
]
# The missed kinds: asks no pattern caught before round 8.
ROUND8_NEW_ASKS = [
    # an amount or a gift before or after a bare participle or noun
    "$15 once cancelled",
    "10 euro when withdrawn, deal?",
    "gift if closed",
    "If closed, 20$ to you.",
    "300р если закрыто",
    "500 ₽ после отмены",
    "Подарок, если закрыто сегодня.",
    "Если закрыто, то 500р ваши.",
    # a better price, the dispute going away with no close verb
    "Better price on your next purchase if the claim disappears.",
    "Next order cheaper for you once the complaint is gone.",
    "Особая цена на следующий заказ, если спор уйдёт.",
    "Следующий заказ дешевле, если жалоба исчезнет.",
    "Спеццена для вас, когда претензия пропадёт.",
    # money asked of the other side into a card, bank or wallet; the platform's fee saved
    "Переведите доплату на карту сбера, так выйдет дешевле.",
    "Доплатите 300 рублей на киви за пересылку.",
    "Please pay the shipping of the replacement by transfer to my card, no platform fee.",
    "Send the extra 5$ to my bank account, it saves the site's commission.",
    "Pay the difference by e-transfer, it's quicker.",
    "Переведите мне на карту 500, и я закрою спор.",
    "Send the money to my PayPal and I'll withdraw the claim.",
    "Transfer 30$ to my card, then I close the case.",
    # a bank's own transfer named by its brand
    "I'll send it by Interac, faster than the site.",
]
# Words the new asks use, in innocent sentences.
ROUND8_NEW_ASKS_WORDS_INNOCENT = [
    "Pay with your card at checkout as usual.",
    "Оплатите заказ картой на сайте, как обычно.",
    "Скидка действует после отмены заказа? Уточните в поддержке.",
    "Send the photos of the box to this chat.",
    "Отправьте фото посылки в этот чат.",
    "Наша цена ниже, чем у других магазинов.",
    "Next order will be cheaper thanks to the sale.",
    "You paid by e-wallet? The refund goes back to it automatically.",
    "Full money back if cancelled before dispatch.",
    "Вернём деньги полностью, если отменено до отправки.",
]


@pytest.mark.parametrize(
    "text",
    ROUND8_CALLS_WITH_GOODS
    + ROUND8_NOBODY_WILL_CONTACT_YOU
    + ROUND8_OWN_CASE_CLOSED_NOW
    + ROUND8_BETWEEN_US_COMPARED
    + ROUND8_ACCOUNT_RUN_BY_SOMEONE_ELSE
    + ROUND8_NEW_ASKS_WORDS_INNOCENT,
)
def test_R_DSP_8_round8_fix_innocent_variants_of_each_kind_are_not_flagged(text):
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS) == []


@pytest.mark.parametrize(
    "text",
    ROUND8_CALLS_WITH_GOODS_ASKS
    + ROUND8_NOBODY_ASKS
    + ROUND8_OWN_CASE_ASKS
    + ROUND8_BETWEEN_US_ASKS
    + ROUND8_ACCOUNT_ASKS
    + ROUND8_NEW_ASKS,
)
def test_R_DSP_8_round8_fix_the_same_words_turned_into_an_ask_are_still_flagged(text):
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS, classifier=False)


def test_R_DSP_8_round8_fix_each_kind_has_both_languages():
    kinds = [
        ROUND8_CALLS_WITH_GOODS,
        ROUND8_CALLS_WITH_GOODS_ASKS,
        ROUND8_NOBODY_WILL_CONTACT_YOU,
        ROUND8_NOBODY_ASKS,
        ROUND8_OWN_CASE_CLOSED_NOW,
        ROUND8_OWN_CASE_ASKS,
        ROUND8_BETWEEN_US_COMPARED,
        ROUND8_BETWEEN_US_ASKS,
        ROUND8_ACCOUNT_RUN_BY_SOMEONE_ELSE,
        ROUND8_ACCOUNT_ASKS,
        ROUND8_NEW_ASKS,
        ROUND8_NEW_ASKS_WORDS_INNOCENT,
    ]
    for texts in kinds:
        cyrillic = [any("а" <= ch.lower() <= "я" for ch in text) for text in texts]
        assert any(cyrillic) and not all(cyrillic), texts


def test_R_DSP_8_round8_fix_a_flag_shows_staff_the_matched_words():
    flags = find_solicitation("Скиньте деньги на сбер, тогда отзову жалобу", patterns=DEFAULT_PATTERNS)
    assert {flag["pattern"] for flag in flags} == {"money-asked-off-platform"}
    assert flags[0]["matched"] == "скиньте деньги на сбер"

    [flag] = find_solicitation("20$ if closed", patterns=DEFAULT_PATTERNS, classifier=False)
    assert flag["intent"] == "benefit" and flag["matched"] == "20$ if closed"


@pytest.mark.django_db
def test_R_DSP_8_round8_fix_the_migration_replaces_patterns_as_0023_shipped_them_and_keeps_edits():
    from django.apps import apps

    migration = importlib.import_module("arbitration.migrations.0024_solicitation_patterns_round8")
    shipped_0023 = migration._shipped_before()
    new_names = {row["name"] for row in migration.PATTERNS} - set(shipped_0023)
    assert new_names == {
        "money-asked-off-platform",
        "channel-calls-with-goods",
        "nobody-will-contact-you",
        "own-dispute-closed-now",
        "account-run-by-someone-else",
    }
    SolicitationPattern.objects.filter(name="outside-platform").update(
        pattern=shipped_0023["outside-platform"]["pattern"]
    )
    SolicitationPattern.objects.filter(name="messenger").update(pattern=r"whats ?app")
    SolicitationPattern.objects.filter(name__in=new_names).delete()

    migration.ship_round8_patterns(apps, None)

    stored = {p.name: p for p in SolicitationPattern.objects.all()}
    shipped = {row["name"]: row for row in migration.PATTERNS}
    assert stored["outside-platform"].pattern == shipped["outside-platform"]["pattern"]
    assert stored["messenger"].pattern == r"whats ?app"  # a supervisor's edit is kept
    for name in new_names:
        assert stored[name].pattern == shipped[name]["pattern"] and stored[name].is_active

    migration.restore_patterns_of_0023(apps, None)

    restored = SolicitationPattern.objects.get(name="outside-platform").pattern
    assert restored == shipped_0023["outside-platform"]["pattern"]
    assert SolicitationPattern.objects.get(name="messenger").pattern == r"whats ?app"
    assert not SolicitationPattern.objects.filter(name__in=new_names).exists()


# --- Round 9 (issue 17): the kinds of round 8's errors, in new words --------------------------------
# Each kind is a structure, not a sentence: a Russian refusal with no "мы/я", someone else's past
# request reported, a messenger as where the goods work, "между нами говоря", a complete messenger
# list, asking not to escalate, part of the money or an amount for closing, a bare "закройте плз".
ROUND9_INNOCENT = [
    # a Russian refusal without the first person
    "Оплату мимо площадки принять не можем, так велят правила.",
    "Общаться в Телеграме запрещено правилами магазина.",
    "Нельзя переводить деньги напрямую, только через заказ.",
    "Никакой почты, пишем только здесь.",
    # someone else's past request, reported
    "Один покупатель предлагал мне перевод на карту, я отказался.",
    "Предыдущий продавец звал меня в Телеграм, я сообщил в поддержку.",
    "The previous seller asked me to pay on Zelle, I reported him.",
    # a messenger as where the goods work or fail
    "Работает ли на часах Телеграм?",
    "Микрофон плохо работает в Дискорде.",
    "Does the mic work in Discord?",
    "The camera doesn't work on Skype calls.",
    # the idiom
    "Между нами говоря, доставка у вас быстрая.",
    # escalation and closing words with no ask
    "If the seller doesn't reply, escalate the dispute.",
    "Эскалировать спор можно через три дня.",
    "Штраф 500р за отмену заказа.",
    "Скидка 10% за отзыв на товар.",
    "Partial refund is possible through the dispute.",
    "Our office uses Line for work.",
]
ROUND9_ASKS = [
    # the same words turned into an ask
    "Никакого вайбера, пишите мне в телеграм.",
    "Прошлый магазин просил написать в вотсап, но лучше пишите в телеграм.",
    "The previous seller asked me to pay on Zelle. Text me on WhatsApp instead.",
    "Магазин работает в телеграме, пишите туда.",
    "We only work on WhatsApp.",
    "Между нами говоря, давайте решим без арбитража.",
    # messengers the list lacked
    "Let's move to Wire, it's private.",
    "Пишите в ТамТам, там удобнее.",
    "Перейдём в КакаоТок?",
    "Message me on Signal instead.",
    # asking not to escalate
    "Please don't escalate this, I will refund you here.",
    "Давайте не будем эскалировать, всё решим.",
    "Не эскалируйте, пожалуйста.",
    # part of the money or an amount for closing
    "Half refund once you withdraw the claim.",
    "Половину стоимости верну, если закроете спор.",
    "1000 рублей за закрытие, идёт?",
    "$30 for closing, ok?",
    # a bare close with a politeness word and a reason after it
    "Закройте пожалуйста, товар уже у вас.",
    "close pls, refund is on the way",
]


@pytest.mark.parametrize("text", ROUND9_INNOCENT)
def test_R_DSP_8_round9_fix_innocent_variants_of_each_kind_are_not_flagged(text):
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS) == []


@pytest.mark.parametrize("text", ROUND9_ASKS)
def test_R_DSP_8_round9_fix_the_same_words_turned_into_an_ask_are_still_flagged(text):
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS, classifier=False)


def test_R_DSP_8_round9_fix_both_languages_in_each_list():
    for texts in (ROUND9_INNOCENT, ROUND9_ASKS):
        cyrillic = [any("а" <= ch.lower() <= "я" for ch in text) for text in texts]
        assert any(cyrillic) and not all(cyrillic)


def test_R_DSP_8_round9_fix_a_flag_shows_staff_the_matched_words():
    text = "Не надо эскалировать, разберёмся"
    [flag] = find_solicitation(text, patterns=DEFAULT_PATTERNS, classifier=False)
    assert flag["pattern"] == "close-dispute-request-ru" and flag["matched"] == "не надо эскалировать"
    [flag] = find_solicitation("700р за закрытие", patterns=DEFAULT_PATTERNS, classifier=False)
    assert flag["intent"] == "benefit" and flag["matched"] == "700р за закрытие"


def test_R_DSP_8_round9_fix_staff_patterns_are_normalised_like_the_defaults():
    # A supervisor's pattern in mixed case is normalised like the text it is matched against.
    staff = [{"name": "staff", "intent": "off-platform", "pattern": r"Пишите в ТамТам"}]
    [flag] = find_solicitation("пишите в тамтам", patterns=staff, classifier=False)
    assert flag["pattern"] == "staff"


@pytest.mark.django_db
def test_R_DSP_8_round9_fix_the_migration_replaces_patterns_as_0024_shipped_them_and_keeps_edits():
    from django.apps import apps

    migration = importlib.import_module("arbitration.migrations.0025_solicitation_patterns_round9")
    shipped_0024 = migration._shipped_before()
    new_names = {row["name"] for row in migration.PATTERNS} - set(shipped_0024)
    assert new_names == {"refusal-impersonal-ru", "someone-else-asked-reported", "channel-where-goods-work"}
    SolicitationPattern.objects.filter(name="messenger").update(pattern=shipped_0024["messenger"]["pattern"])
    SolicitationPattern.objects.filter(name="outside-platform").update(pattern=r"между нами")
    SolicitationPattern.objects.filter(name__in=new_names).delete()

    migration.ship_round9_patterns(apps, None)

    stored = {p.name: p for p in SolicitationPattern.objects.all()}
    shipped = {row["name"]: row for row in migration.PATTERNS}
    assert stored["messenger"].pattern == shipped["messenger"]["pattern"]
    assert shipped["messenger"]["pattern"] != shipped_0024["messenger"]["pattern"]
    assert stored["outside-platform"].pattern == r"между нами"  # a supervisor's edit is kept
    for name in new_names:
        assert stored[name].pattern == shipped[name]["pattern"] and stored[name].is_active

    migration.restore_patterns_of_0024(apps, None)

    assert SolicitationPattern.objects.get(name="messenger").pattern == shipped_0024["messenger"]["pattern"]
    assert SolicitationPattern.objects.get(name="outside-platform").pattern == r"между нами"
    assert not SolicitationPattern.objects.filter(name__in=new_names).exists()


@pytest.mark.django_db
def test_R_DSP_8_round15_fix_the_migration_replaces_patterns_as_0025_shipped_them_and_keeps_edits():
    from django.apps import apps

    migration = importlib.import_module("arbitration.migrations.0028_solicitation_patterns_round15")
    shipped_0025 = migration._shipped_before()
    shipped = {row["name"]: row for row in migration.PATTERNS}
    assert set(shipped) == set(shipped_0025)  # nothing added or removed
    changed = {name for name in shipped if shipped[name]["pattern"] != shipped_0025[name]["pattern"]}
    assert "close-dispute-request-ru" in changed
    SolicitationPattern.objects.filter(name="close-dispute-request-ru").update(
        pattern=shipped_0025["close-dispute-request-ru"]["pattern"]
    )
    SolicitationPattern.objects.filter(name="discount-for-closing").update(pattern=r"подарок за отмену")

    migration.ship_round15_patterns(apps, None)

    stored = {p.name: p.pattern for p in SolicitationPattern.objects.all()}
    assert stored["close-dispute-request-ru"] == shipped["close-dispute-request-ru"]["pattern"]
    assert stored["discount-for-closing"] == r"подарок за отмену"  # a supervisor's edit is kept

    migration.restore_patterns_of_0025(apps, None)

    stored = {p.name: p.pattern for p in SolicitationPattern.objects.all()}
    assert stored["close-dispute-request-ru"] == shipped_0025["close-dispute-request-ru"]["pattern"]
    assert stored["discount-for-closing"] == r"подарок за отмену"


@pytest.mark.django_db
def test_R_DSP_8_round18_the_migration_replaces_patterns_as_0028_shipped_them_adds_one_and_keeps_edits():
    from django.apps import apps

    migration = importlib.import_module("arbitration.migrations.0029_solicitation_patterns_round18")
    shipped_0028 = migration._shipped_before()
    shipped = {row["name"]: row for row in migration.PATTERNS}
    assert set(shipped) - set(shipped_0028) == {"channel-as-decoration"}
    assert not set(shipped_0028) - set(shipped)  # nothing removed
    SolicitationPattern.objects.filter(name="close-dispute-request-en").update(
        pattern=shipped_0028["close-dispute-request-en"]["pattern"]
    )
    SolicitationPattern.objects.filter(name="warning").update(pattern=r"beware|осторожно")
    SolicitationPattern.objects.filter(name="channel-as-decoration").delete()

    migration.ship_round18_patterns(apps, None)

    stored = {p.name: p for p in SolicitationPattern.objects.all()}
    assert stored["close-dispute-request-en"].pattern == shipped["close-dispute-request-en"]["pattern"]
    assert stored["warning"].pattern == r"beware|осторожно"  # a supervisor's edit is kept
    assert stored["channel-as-decoration"].intent == "exempt" and stored["channel-as-decoration"].is_active

    migration.restore_patterns_of_0028(apps, None)

    stored = {p.name: p.pattern for p in SolicitationPattern.objects.all()}
    assert stored["close-dispute-request-en"] == shipped_0028["close-dispute-request-en"]["pattern"]
    assert stored["warning"] == r"beware|осторожно"
    assert "channel-as-decoration" not in stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("migration_name", "ship", "restore", "changed", "reset", "edited"),
    [
        (
            "0030_solicitation_patterns_round19",
            "ship_round19_patterns",
            "restore_patterns_of_0029",
            {
                "close-dispute-request-en",
                "close-dispute-request-ru",
                "discount-for-closing",
                "outside-platform",
                "refund-directly",
            },
            "close-dispute-request-ru",
            "outside-platform",
        ),
        (
            "0031_solicitation_patterns_round20",
            "ship_round20_patterns",
            "restore_patterns_of_0030",
            {
                "buyers-own-decision",
                "close-dispute-request-en",
                "close-dispute-request-ru",
                "discount-for-closing",
                "off-platform-contact",
                "outside-platform",
                "refusal-en",
                "refusal-ru",
            },
            "refusal-ru",
            "refusal-en",
        ),
        (
            "0032_solicitation_patterns_round21",
            "ship_round21_patterns",
            "restore_patterns_of_0031",
            {
                "buyers-own-decision",
                "close-dispute-request-en",
                "close-dispute-request-ru",
                "outside-platform",
                "warning",
            },
            "warning",
            "outside-platform",
        ),
        (
            "0033_solicitation_patterns_round22",
            "ship_round22_patterns",
            "restore_patterns_of_0032",
            # The messenger names and the dispute's nouns are shared fragments: every pattern that
            # names them changes with them.
            {
                "account-run-by-someone-else",
                "app-as-goods",
                "buyers-own-decision",
                "card-or-account-details-request",
                "channel-as-decoration",
                "channel-as-device-feature",
                "channel-calls-with-goods",
                "channel-not-had-or-given",
                "channel-where-goods-work",
                "close-dispute-request-en",
                "close-dispute-request-ru",
                "closed-by-the-writer",
                "closing-as-a-fact",
                "closing-by-the-writer",
                "discount-for-closing",
                "messenger",
                "messenger-as-app-or-source",
                "nobody-will-contact-you",
                "own-dispute-closed-now",
                "platform-payment-route",
                "refusal-en",
                "refusal-first-person",
                "refusal-impersonal-ru",
                "refusal-ru",
                "warning",
            },
            "messenger",
            "platform-payment-route",
        ),
        (
            "0035_solicitation_patterns_round23",
            "ship_round23_patterns",
            "restore_patterns_of_0033",
            {
                "card-or-account-details-request",
                "close-dispute-request-en",
                "close-dispute-request-ru",
                "discount-for-closing",
                "off-platform-contact",
                "outside-platform",
                "refusal-impersonal-ru",
                "refusal-ru",
                "warning",
            },
            "off-platform-contact",
            "refusal-ru",
        ),
        (
            "0036_solicitation_patterns_round24",
            "ship_round24_patterns",
            "restore_patterns_of_0035",
            {
                "close-dispute-request-en",
                "close-dispute-request-ru",
                "discount-for-closing",
                "off-platform-contact",
                "outside-platform",
                "refusal-first-person",
                "warning",
            },
            "discount-for-closing",
            "warning",
        ),
        (
            "0037_solicitation_patterns_round25",
            "ship_round25_patterns",
            "restore_patterns_of_0036",
            {
                "channel-not-had-or-given",
                "close-dispute-request-en",
                "close-dispute-request-ru",
                "discount-for-closing",
                "money-asked-off-platform",
                "money-offer-en",
                "nobody-will-contact-you",
                "off-platform-contact",
                "outside-platform",
                "platform-payment-route",
                "refund-directly",
                "refusal-en",
                "refusal-first-person",
                "refusal-impersonal-ru",
                "refusal-ru",
            },
            "refund-directly",
            "money-offer-en",
        ),
    ],
)
def test_R_DSP_8_rounds_19_to_25_each_migration_replaces_patterns_as_the_last_shipped_them_and_keeps_edits(
    migration_name, ship, restore, changed, reset, edited
):
    """Each round's data migration adds and removes no pattern, replaces exactly the patterns it
    changed where they are as the previous migration shipped them, keeps a supervisor's edit,
    and goes back to the previous text."""
    from django.apps import apps

    migration = importlib.import_module(f"arbitration.migrations.{migration_name}")
    before = migration._shipped_before()
    shipped = {row["name"]: row for row in migration.PATTERNS}
    assert set(shipped) == set(before)
    assert {name for name in shipped if shipped[name]["pattern"] != before[name]["pattern"]} == changed
    SolicitationPattern.objects.filter(name=reset).update(pattern=before[reset]["pattern"])
    SolicitationPattern.objects.filter(name=edited).update(pattern=r"off the books|между нами")

    getattr(migration, ship)(apps, None)

    stored = {p.name: p.pattern for p in SolicitationPattern.objects.all()}
    assert stored[reset] == shipped[reset]["pattern"]
    assert stored[edited] == r"off the books|между нами"  # a supervisor's edit is kept

    getattr(migration, restore)(apps, None)

    stored = {p.name: p.pattern for p in SolicitationPattern.objects.all()}
    assert stored[reset] == before[reset]["pattern"]
    assert stored[edited] == r"off the books|между нами"


@pytest.mark.django_db
def test_R_DSP_8_round26_the_migration_adds_the_case_ended_another_way_and_goes_back_without_it():
    """Round 26's data migration adds its two new patterns (the case ended another way), replaces
    the patterns it changed where they are as 0037 shipped them, keeps a supervisor's edit, and
    going back deletes the two and restores 0037's text."""
    from django.apps import apps

    migration = importlib.import_module("arbitration.migrations.0038_solicitation_patterns_round26")
    before = migration._shipped_before()
    shipped = {row["name"]: row for row in migration.PATTERNS}
    added = {"case-ended-another-way-en", "case-ended-another-way-ru"}
    assert set(shipped) - set(before) == added and set(before) <= set(shipped)
    SolicitationPattern.objects.filter(name__in=added).delete()  # the database as 0037 left it
    reset, edited = "close-dispute-request-ru", "warning"
    assert shipped[reset]["pattern"] != before[reset]["pattern"]
    SolicitationPattern.objects.filter(name=reset).update(pattern=before[reset]["pattern"])
    SolicitationPattern.objects.filter(name=edited).update(pattern=r"off the books|между нами")

    migration.ship_round26_patterns(apps, None)

    stored = {p.name: p for p in SolicitationPattern.objects.all()}
    assert added <= set(stored) and all(stored[name].is_active for name in added)
    assert {stored[name].pattern for name in added} == {shipped[name]["pattern"] for name in added}
    assert stored[reset].pattern == shipped[reset]["pattern"]
    assert stored[edited].pattern == r"off the books|между нами"  # a supervisor's edit is kept

    migration.restore_patterns_of_0037(apps, None)

    stored = {p.name: p for p in SolicitationPattern.objects.all()}
    assert not added & set(stored)
    assert stored[reset].pattern == before[reset]["pattern"]
    assert stored[edited].pattern == r"off the books|между нами"
