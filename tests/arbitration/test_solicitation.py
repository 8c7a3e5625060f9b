"""R-DSP-8: seller messages that solicit closing the dispute or paying off the platform are flagged.

The default patterns come from the data migration (0002), so these tests run against what a fresh
database holds. The labelled corpus and the held-out set were written by hand before the
patterns; see the module docstring of ``arbitration.solicitation`` for what counts.
"""

from __future__ import annotations

import importlib
import json
import logging
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from arbitration.models import SolicitationPattern
from arbitration.solicitation import DEFAULT_PATTERNS, find_solicitation, normalize, validate_pattern

DATA = Path(__file__).parent / "data"


def load(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


# --- normalize ----------------------------------------------------------------------------------


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


def test_R_DSP_8_normalize_splits_brand_names_at_hyphens_and_the_patterns_allow_the_space():
    assert normalize("pay-pal, Whats-App") == "pay pal whats app"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("\u0440\u0430\u0443pal", "paypal"),  # Cyrillic р, а, у in an English word
        ("\u0420\u0430\u0443\u0420\u0430l", "paypal"),
        ("t\u0435l\u0435gram", "telegram"),  # Cyrillic е
        ("c\u043fop", "спор"),  # Latin c, o, p around a Cyrillic п: the п shows it is Russian
        ("к\u0061рту", "карту"),  # one Latin a in a Russian word: the majority decides
        ("0тмените", "отмените"),
        ("cl0se", "close"),
        ("п е й п а л", "пейпал"),
    ],
)
def test_R_DSP_8_normalize_reads_look_alike_letters_in_the_word_s_own_script(written, read):
    assert normalize(written) == read


def test_R_DSP_8_normalize_leaves_amounts_numbers_handles_and_emails_alone():
    text = "Refund 30% = 15$ (23.50 USD), call +7 916 123-45-67, track LP00123456789CN, @shop_1, a.b@mail.ru"
    assert normalize(text) == (
        "refund 30% 15$ 23 50 usd call +7 916 123 45 67 track lp00123456789cn @shop_1 a.b@mail.ru"
    )


def test_R_DSP_8_normalize_keeps_words_apart_so_ordinary_words_do_not_merge():
    assert normalize("Please pay attention!") == "please pay attention"
    assert normalize("Этот говар, а я в пути") == "этот говар а я в пути"


def test_R_DSP_8_normalize_keeps_sentence_ends_for_patterns_that_stay_in_one_sentence():
    assert normalize("Close it!!! Then, write.\nOK?") == "close it. then write. ok"


def test_R_DSP_8_normalize_reads_yo_as_ye_and_keeps_short_i():
    assert normalize("Вернём ещё, пейпал") == "вернем еще пейпал"


# --- find_solicitation --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("message", "pattern"),
    [
        ("Dear friend, please close the dispute and I will refund you.", "close-dispute-request-en"),
        ("Пожалуйста, закройте спор, мы вышлем новый товар.", "close-dispute-request-ru"),
        ("Продавец предлагает 30% скидки, но чтобы вы закрыли спор.", "discount-for-closing"),
        ("We will give you a 15% discount code if you close this dispute now.", "discount-for-closing"),
        ("I can send the money to your bank card myself.", "money-offer-en"),
        ("Давайте я переведу вам 500 рублей на карту сбера.", "money-offer-ru"),
        ("Refund by p a y p a l is faster, give me your email.", "paypal"),
        ("Верну деньги на ваш электронный кошелек или через PayPal.", "paypal"),
        ("Send your Qiwi wallet number, I will send the money there.", "e-wallet-or-money-transfer"),
        ("Верну через юмани, дайте номер кошелька.", "e-wallet-or-money-transfer"),
        ("Скиньте номер карты, я верну деньги напрямую.", "card-or-account-details-request"),
        ("Напишите мне в ватсап +7 916 123 45 67.", "messenger"),
        ("Let's talk on Telegram: t.me/fashionshop_help", "messenger"),
        ("Пишите мне на почту shop.rus@mail.ru, решим.", "off-platform-contact"),
        ("We will refund you outside AliExpress, it is faster.", "outside-platform"),
        ("Мы готовы вернуть деньги напрямую, без участия Алиэкспресс.", "refund-directly"),
    ],
)
def test_R_DSP_8_a_solicitation_is_flagged_with_the_pattern_it_matched(message, pattern):
    assert pattern in find_solicitation(message)


@pytest.mark.django_db
def test_R_DSP_8_the_result_is_the_sorted_unique_pattern_names():
    names = find_solicitation("Please close the dispute, I refund you by PayPal directly. Close the dispute!")
    assert names == sorted(set(names))
    assert {"close-dispute-request-en", "paypal", "refund-directly"} <= set(names)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "message",
    [
        "I accepted your dispute, the refund will come to your card through the platform.",
        "The dispute will be closed automatically after the refund.",
        "Please don't worry, the platform will refund you.",
        "Спор будет закрыт после возврата средств.",
        "Деньги вернутся на карту, с которой вы оплачивали.",
        "You paid with PayPal, so the refund goes back to your PayPal automatically.",
        "We never ask customers to contact us on WhatsApp. Please use only this chat.",
        "Please do not close the dispute until you receive your money.",
        "Please pay attention: the item needs to be assembled.",
        "",
    ],
)
def test_R_DSP_8_an_ordinary_seller_reply_is_not_flagged(message):
    assert find_solicitation(message) == []


@pytest.mark.django_db
def test_R_DSP_8_an_inactive_pattern_is_not_used():
    message = "Please close the dispute."
    assert find_solicitation(message) == ["close-dispute-request-en"]

    SolicitationPattern.objects.filter(name="close-dispute-request-en").update(is_active=False)

    assert find_solicitation(message) == []


@pytest.mark.django_db
def test_R_DSP_8_staff_edits_apply_to_the_next_message_without_a_deploy():
    SolicitationPattern.objects.create(name="store-credit", language="en", pattern=r"\bstore credit\b")

    assert "store-credit" in find_solicitation("I'll add Store-Credit to your account")

    SolicitationPattern.objects.filter(name="store-credit").update(pattern=r"\bgift card\b")

    assert "store-credit" not in find_solicitation("I'll add Store-Credit to your account")
    assert "store-credit" in find_solicitation("I'll send you a GIFT CARD")


@pytest.mark.django_db
def test_R_DSP_8_a_broken_pattern_in_the_database_is_skipped_and_logged_never_raised(caplog):
    # Saved past validation (e.g. by a data fix): message posting must still work.
    SolicitationPattern.objects.create(name="typo", pattern=r"pay(pal")
    SolicitationPattern.objects.create(name="matches-everything", pattern=r"paypal|")

    with caplog.at_level(logging.ERROR, logger="arbitration.solicitation"):
        assert find_solicitation("Please close the dispute.") == ["close-dispute-request-en"]

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


def test_R_DSP_8_find_solicitation_can_evaluate_patterns_without_the_database():
    patterns = [{"name": "gift-card", "pattern": r"gift ?card"}]

    assert find_solicitation("a G.I.F.T card for you", patterns=patterns) == ["gift-card"]


# --- The default set ----------------------------------------------------------------------------


def test_R_DSP_8_the_migration_ships_exactly_the_default_set():
    migration = importlib.import_module("arbitration.migrations.0002_default_solicitation_patterns")

    assert migration.PATTERNS == DEFAULT_PATTERNS


@pytest.mark.django_db
def test_R_DSP_8_a_fresh_database_holds_the_default_set_active():
    stored = {p.name: p for p in SolicitationPattern.objects.all()}

    for row in DEFAULT_PATTERNS:
        assert stored[row["name"]].pattern == row["pattern"]
        assert stored[row["name"]].is_active


def test_R_DSP_8_the_labelled_sets_are_big_balanced_and_bilingual():
    corpus, holdout = load("solicitation_corpus.jsonl"), load("solicitation_holdout.jsonl")

    assert len(corpus) >= 240 and len(holdout) >= 60
    for messages in (corpus, holdout):
        assert {m["lang"] for m in messages} == {"en", "ru"}
        for lang in ("en", "ru"):
            in_lang = [m for m in messages if m["lang"] == lang]
            solicit = sum(m["solicit"] for m in in_lang)
            assert 0.4 <= solicit / len(in_lang) <= 0.6
            assert 0.4 <= len(in_lang) / len(messages) <= 0.6
    texts = [m["text"] for m in corpus + holdout]
    assert len(texts) == len(set(texts)), "a message appears twice"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["solicitation_corpus.jsonl", "solicitation_holdout.jsonl"])
def test_R_DSP_8_precision_and_recall_on_the_labelled_corpus(name):
    """R-DSP-8 is done when the stored patterns reach precision and recall of at least 95% on
    the labelled corpus; the held-out set, written before the patterns were tuned, checks they
    were not fitted to the corpus alone."""
    true_pos = false_pos = false_neg = 0
    mistakes = []
    for message in load(name):
        flagged = bool(find_solicitation(message["text"]))
        true_pos += flagged and message["solicit"]
        false_pos += flagged and not message["solicit"]
        false_neg += not flagged and message["solicit"]
        if flagged != message["solicit"]:
            mistakes.append(message["text"])

    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)

    assert precision >= 0.95, mistakes
    assert recall >= 0.95, mistakes
