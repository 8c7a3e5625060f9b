"""R-DSP-8, issue 17 round 10: the classifier may overrule a shipped pattern.

Five rounds of patterns showed the same false alarms coming back in new words: a messenger named
as goods or in a warning, a refusal, the buyer's own dispute. The classifier, trained from round
10 on every spent held-out set and 1,400 messages written for it (most of the innocent ones
naming what asks name), scores each message a shipped pattern flags; below the veto threshold
(chosen by cross-validation, ``training.choose_veto``) those flags are dropped. A pattern staff
wrote or edited always keeps its flag, and supervisors change or switch off the veto without a
deploy. The sentences here were written for these tests, not taken from any labelled set.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse

from arbitration.models import SolicitationClassifierSetting, SolicitationPattern
from arbitration.solicitation import DEFAULT_PATTERNS, match_patterns
from arbitration.solicitation.classifier import Classifier, default_classifier
from arbitration.solicitation.detector import find_solicitation
from arbitration.solicitation.matching import detect
from arbitration.solicitation.patterns import NAMED_CHANNELS, NEVER_OVERRULED
from arbitration.solicitation.training import (
    NAME_VETO_RECALL_COST,
    VETO_RECALL_COST,
    Example,
    VetoScore,
    choose_name_veto,
    choose_veto,
    veto_scores,
)

# Innocent, yet a shipped pattern flags each: a messenger as goods or on them, a channel the
# shop has not got, in both languages. (A logo or a sticker with a messenger's name is an exempt
# pattern's from round 18, "channel-as-decoration": no pattern flags those any more.)
OVERRULED = [
    "The WhatsApp-green phone case arrived with a scratch.",
    "The earbuds box has a Discord promo card inside.",
    "Our shop has no Telegram channel, all answers are here in the chat.",
    "Кружка «Вайбер» пришла со сколом на ручке.",
    "Чехол «Телеграм» пришёл поцарапанный.",
    "Чехол цвета Вайбера пришёл поцарапанный.",
]
# The same words turned into an ask: still flagged.
STILL_ASKS = [
    "Text me on WhatsApp about the mug, I'll sort it out there.",
    "I'll send you cash if you drop your case today.",
    "Write to me on Telegram @mugshop, everything is answered there.",
    "Напишите мне в Вайбер, решим вопрос с кружкой там.",
    "Отмените спор, и я переведу вам деньги.",
    "Пишите в наш Телеграм-канал @mugshop, там отвечаем быстрее.",
]


def _model():
    model = default_classifier()
    assert model is not None, "classifier_weights.json is committed"
    return model


@pytest.mark.parametrize("text", OVERRULED)
def test_R_DSP_8_round10_the_classifier_overrules_a_shipped_pattern_on_the_false_alarm_kinds(text):
    assert match_patterns(text, DEFAULT_PATTERNS), "a shipped pattern flags it"
    assert _model().score(text) < _model().veto

    assert find_solicitation(text, patterns=DEFAULT_PATTERNS) == []


@pytest.mark.parametrize("text", STILL_ASKS)
def test_R_DSP_8_round10_the_same_words_as_an_ask_keep_their_flags(text):
    flags = find_solicitation(text, patterns=DEFAULT_PATTERNS)

    assert flags and flags == match_patterns(text, DEFAULT_PATTERNS)


SMALL_TALK = {
    "en": "The parcel came on Tuesday, the box was dented but the kettle inside works and the colour "
    "is just like the photos. Thanks for packing it so carefully, I will leave a review soon.",
    "ru": "Посылка пришла во вторник, коробка помята, но чайник работает и цвет как на фото. "
    "Спасибо за аккуратную упаковку, скоро оставлю отзыв.",
}


@pytest.mark.parametrize("stop", [True, False], ids=["ask-ends-its-sentence", "ask-runs-on"])
@pytest.mark.parametrize("text", STILL_ASKS)
def test_R_DSP_8_round10_an_ask_padded_with_small_talk_is_not_overruled(text, stop):
    """The veto reads the match's sentence (at most ``VETO_WINDOW`` words each side), not only
    the whole message: a paragraph of small talk around an ask does not dilute it below the veto
    threshold, also when the ask has no full stop and the small talk runs on from it. From round
    22 a messenger merely named has the name veto, read on the whole message, but its flag stays
    when its window reaches the flagging threshold, as these asks' windows do."""
    talk = SMALL_TALK["ru" if any("а" <= c <= "я" for c in text.lower()) else "en"]
    ask = text if stop else text.rstrip(".!")
    padded = f"{talk} {talk} {ask} {talk}"

    assert find_solicitation(padded, patterns=DEFAULT_PATTERNS)
    assert _model().score(padded) < _model().veto  # the whole message alone would be overruled


@pytest.mark.django_db
def test_R_DSP_8_round10_a_pattern_staff_wrote_or_edited_is_never_overruled():
    text = OVERRULED[0]
    assert find_solicitation(text) == []  # the shipped patterns, from the database

    SolicitationPattern.objects.create(
        name="staff-case-whatsapp", pattern=r"whatsapp green", intent="off-platform"
    )
    assert [f["pattern"] for f in find_solicitation(text)] == ["staff-case-whatsapp"]

    SolicitationPattern.objects.filter(name="staff-case-whatsapp").update(is_active=False)
    [shipped] = [f["pattern"] for f in match_patterns(text, DEFAULT_PATTERNS)]
    row = SolicitationPattern.objects.get(name=shipped)
    row.pattern += r"|\bmugshop\b"  # edited by staff: no longer the shipped pattern
    row.save()
    assert [f["pattern"] for f in find_solicitation(text)] == [shipped]


@pytest.mark.django_db
def test_R_DSP_8_round10_supervisors_change_or_switch_off_the_veto_without_a_deploy():
    text = OVERRULED[3]
    setting = SolicitationClassifierSetting.current()
    assert setting.veto_threshold is None and find_solicitation(text) == []

    setting.veto_threshold = setting.name_veto_threshold = Decimal("0.00")  # never overrule
    setting.save()
    assert find_solicitation(text) == match_patterns(text, DEFAULT_PATTERNS) != []

    setting.veto_threshold = setting.name_veto_threshold = None

    setting.veto_threshold, setting.is_active = None, False  # classifier off: the patterns alone
    setting.save()
    assert find_solicitation(text) == match_patterns(text, DEFAULT_PATTERNS) != []


def test_R_DSP_8_round10_detect_takes_the_veto_threshold_it_is_given():
    text = OVERRULED[1]
    assert detect(text, DEFAULT_PATTERNS) == []
    assert detect(text, DEFAULT_PATTERNS, veto=0.0, name_veto=0.0) == match_patterns(text, DEFAULT_PATTERNS)
    assert detect(text, DEFAULT_PATTERNS, classifier=False) == match_patterns(text, DEFAULT_PATTERNS)


def test_R_DSP_8_round10_the_veto_threshold_is_the_highest_that_costs_at_most_the_allowed_recall():
    """Per language, 200 solicitations the patterns flag, scored out of set: one at 0.03, one at
    0.05, the rest at 0.9; with 0.5 % allowed (round 17: it was 1 %), 0.05 loses only the first
    (0.5 %), 0.06 both (1 %)."""
    assert VETO_RECALL_COST == 0.005
    examples, scores = [], []
    for lang in ("en", "ru"):
        for score in [0.03, 0.05] + [0.9] * 198:
            examples.append(SimpleNamespace(lang=lang, solicit=True))
            scores.append(score)
        examples.append(SimpleNamespace(lang=lang, solicit=False))  # innocent: never counted
        scores.append(0.01)

    assert choose_veto(examples, scores) == 0.05  # type: ignore[arg-type]
    # A solicitation the patterns did not flag (None) is not the veto's to lose.
    scores[1] = scores[202] = None
    assert choose_veto(examples, scores) == 0.5  # type: ignore[arg-type]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "trained", "out_of_range", "saved_value"),
    [
        ("veto_threshold", "veto", "0.60", "0.20"),
        # Round 22: the name veto, for a messenger or e-wallet merely named.
        ("name_veto_threshold", "name_veto", "0.70", "0.00"),
    ],
)
def test_R_DSP_8_round10_the_veto_thresholds_are_edited_in_the_admin_by_supervisors(
    people, client, field, trained, out_of_range, saved_value
):
    url = reverse("admin:arbitration_solicitationclassifiersetting_change", args=[1])
    client.force_login(people.supervisor)

    page = client.get(url)
    refused = client.post(url, {"is_active": "on", field: out_of_range})
    saved = client.post(url, {"is_active": "on", field: saved_value})

    assert page.status_code == 200 and f"{getattr(_model(), trained):.2f}" in page.content.decode()
    assert refused.status_code == 200 and out_of_range in refused.content.decode()  # re-rendered, kept
    assert saved.status_code == 302
    assert getattr(SolicitationClassifierSetting.objects.get(pk=1), field) == Decimal(saved_value)


# --- Round 26: the case ended another way is never overruled -----------------------------------

# Sentences written for this test, of round 25's missed kinds; a classifier that scores every
# message 0.0 (no weights, a very low bias) would overrule any other shipped pattern's flag.
ENDED_ANOTHER_WAY = [
    ("Please don't extend the protection, the lamp will reach you anyway.", "case-ended-another-way-en"),
    ("Когда площадка спросит, решён ли вопрос, нажмите «да».", "case-ended-another-way-ru"),
]


@pytest.mark.parametrize(("text", "name"), ENDED_ANOTHER_WAY)
def test_R_DSP_8_round26_the_case_ended_another_way_is_never_overruled(text, name):
    silent = Classifier({}, bias=-20.0, threshold=0.99, veto=0.5, name_veto=0.5)
    assert name in NEVER_OVERRULED and silent.score(text) < 0.001
    assert name in {f["pattern"] for f in match_patterns(text, DEFAULT_PATTERNS)}

    assert name in {f["pattern"] for f in detect(text, DEFAULT_PATTERNS, classifier=silent)}
    # Another shipped pattern in the same message is still overruled.
    both = f"{text} Close the dispute and write me."
    kept = {f["pattern"] for f in detect(both, DEFAULT_PATTERNS, classifier=silent)}
    assert name in kept and "close-dispute-request-en" not in kept


# --- Round 22: the name veto, for a channel merely named ---------------------------------------

# A toy classifier: "telegram" alone reads as an ask, a refusal around it does not, "write" does.
TOY = {"w:telegram": 3.0, "w:write": 3.0, "w:only": -4.0, "w:here": -4.0, "w:no": -2.0}


def _toy(veto: float, name_veto: float) -> Classifier:
    return Classifier(TOY, bias=0.0, threshold=0.99, veto=veto, name_veto=name_veto)


def test_R_DSP_8_round22_a_channel_merely_named_is_overruled_on_the_whole_messages_score():
    """The window veto reads a few words around a match, and "My Telegram?" alone reads as an
    ask; the name veto reads the whole message, refusal and all. Zero never overrules."""
    text = "My Telegram? No, I only answer here."
    assert [f["pattern"] for f in match_patterns(text, DEFAULT_PATTERNS)] == ["messenger"]
    assert "messenger" in NAMED_CHANNELS and _toy(0.5, 0.5).score(text) < 0.5

    assert detect(text, DEFAULT_PATTERNS, classifier=_toy(0.5, 0.0)) == match_patterns(text, DEFAULT_PATTERNS)
    assert detect(text, DEFAULT_PATTERNS, classifier=_toy(0.5, 0.5)) == []
    assert detect(text, DEFAULT_PATTERNS, classifier=_toy(0.5, 0.0), name_veto=0.5) == []


def test_R_DSP_8_round22_a_named_channel_in_an_ask_and_other_patterns_flags_keep_their_own_vetoes():
    ask = "My Telegram? Write me there."
    assert detect(ask, DEFAULT_PATTERNS, classifier=_toy(0.5, 0.5)) == match_patterns(ask, DEFAULT_PATTERNS)
    # Another shipped pattern in the same message keeps the window veto: its match's sentence
    # scores above it, so the whole message scoring low does not drop it.
    both = "Close the dispute and write me. My Telegram? No, I only answer here."
    flags = {f["pattern"] for f in detect(both, DEFAULT_PATTERNS, classifier=_toy(0.5, 0.5))}
    assert "messenger" not in flags and "close-dispute-request-en" in flags


# Round 21's false-alarm kind, in sentences written for this test: a seller disowning or
# refusing a messenger, which the window veto kept (a few words around "Telegram?" read as an ask).
NAMED_NOT_ASKED = [
    "Is that Telegram account really ours? No, we never had one, report it to support.",
    "WhatsApp? Sorry, the shop doesn't use it, only this chat.",
    "The Telegram group selling our lamps cheaper is a copy, the original is only sold here.",
    "Вайбер? Нет, магазин им не пользуется, только этот чат.",
    "Этот аккаунт в Телеграме не наш, пожалуйтесь на него в поддержку.",
    "Чей это номер в Вотсапе? Точно не наш, мы так не работаем.",
]
NAMED_AND_ASKED = ["WhatsApp? Yes, write me there, it's faster.", "Телеграм? Да, пишите туда, там быстрее."]


@pytest.mark.parametrize("text", NAMED_NOT_ASKED)
def test_R_DSP_8_round22_the_committed_name_veto_overrules_a_messenger_disowned_or_refused(text):
    assert [f["pattern"] for f in match_patterns(text, DEFAULT_PATTERNS)] == ["messenger"]
    assert detect(text, DEFAULT_PATTERNS, name_veto=0.0) != []  # the window veto alone kept it

    assert find_solicitation(text, patterns=DEFAULT_PATTERNS) == []


@pytest.mark.parametrize("text", NAMED_AND_ASKED)
def test_R_DSP_8_round22_a_messenger_named_in_an_ask_keeps_its_flag(text):
    assert find_solicitation(text, patterns=DEFAULT_PATTERNS) == match_patterns(text, DEFAULT_PATTERNS) != []


def test_R_DSP_8_round22_the_name_veto_is_the_highest_that_costs_at_most_its_share_of_recall():
    """Per language, 400 solicitations: two a channel merely named flags alone, at 0.03 and 0.05
    out of set; one it flags beside another pattern whose windows keep it (0.9); the rest not
    named. With 0.25 % allowed, 0.05 still costs one (0.25 %), 0.06 two."""
    assert NAME_VETO_RECALL_COST == 0.0025
    examples, scores = [], []
    for lang in ("en", "ru"):
        rows = [VetoScore(None, 0.03), VetoScore(None, 0.05), VetoScore(0.9, 0.01)]
        rows += [VetoScore(0.9, None)] * 397
        for row in rows:
            examples.append(SimpleNamespace(lang=lang, solicit=True))
            scores.append(row)

    assert choose_name_veto(examples, scores, veto=0.2) == 0.05  # type: ignore[arg-type]
    # At a veto above the other pattern's windows, that one would be lost too.
    assert choose_name_veto(examples, scores, veto=0.95) == 0.03  # type: ignore[arg-type]


def test_R_DSP_8_round22_cross_validation_reads_each_veto_as_detect_does():
    """``veto_scores`` gives the window veto the whole message and its matches' windows of any
    shipped pattern but a channel merely named, and the name veto the whole message."""
    named, close, both, clean = (
        "WhatsApp me pls",
        "Please close the dispute, I send 10$.",
        "Please close the dispute. WhatsApp me.",
        "Thanks, the parcel came today.",
    )
    model = _model()
    examples = [Example(text, True, "en", "set", ()) for text in (named, close, both, clean)]

    scores = veto_scores(examples, {"set": model})

    assert scores[0] == VetoScore(None, model.score(named))
    assert scores[1].windows is not None and scores[1].windows >= model.score(close)
    assert scores[1].named is None
    assert scores[2].windows is not None and scores[2].named == model.score(both)
    assert scores[3] == VetoScore(None, None)
