"""Training the solicitation classifier from the committed labelled sets (R-DSP-8).

Plain Python, no numerical library: about 1,300 short messages train in seconds, and the model
is a dictionary of weights (``classifier.py``). Logistic regression with L2 regularisation,
fitted by stochastic gradient descent in a fixed, seeded order, so the same data always gives
the same weights (rounded to six decimals in the JSON file). Features seen in fewer than two
training messages are left out (they would only remember a sentence). A line a buyer writes
(``"speaker": "buyer"``) is left out too (round 26): the product never scores a buyer's message,
and buyers' own asks ("скиньте номер карты, я доплачу"), labelled innocent for that reason, taught
the classifier to overrule the same words from a seller.

Both thresholds are chosen by cross-validation on the training sets only, leaving one whole set
out at a time (each set was written by someone else in another round, as a new seller's
messages would be):

- the threshold (flag what no pattern flags): the lowest score at which the classifier's own
  out-of-set precision is at least ``TARGET_PRECISION`` in each language;
- the veto threshold (overrule a shipped pattern's flag, round 10): the highest score, up to
  ``VETO_MAX``, below which at most ``VETO_RECALL_COST`` of the solicitations in each language
  would lose their shipped patterns' flags when scored out of set (the whole message and each
  match's window of words, as ``matching.detect`` reads them), i.e. the recall the veto may
  cost on messages like those it never saw;
- the name veto threshold (overrule a channel merely named, round 22): the same, scored on the
  whole message only, with its own share ``NAME_VETO_RECALL_COST`` (``choose_name_veto``).

The held-out set (``HELD_OUT``) is never read here. Rounds 4 to 9's held-out sets were each
measured once, their errors read and tuned on; from round 10 they are training sets, and so on
for each later round once it has been measured (rounds 10 to 25).
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arbitration.solicitation.classifier import Classifier, _sigmoid, features
from arbitration.solicitation.matching import veto_windows
from arbitration.solicitation.normalize import text_variants
from arbitration.solicitation.patterns import DEFAULT_PATTERNS

DATA = Path(__file__).resolve().parents[2] / "tests" / "arbitration" / "data"
TRAINING_SETS = (
    "solicitation_corpus.jsonl",
    "solicitation_holdout.jsonl",
    "solicitation_holdout_evasion.jsonl",
    "solicitation_check_after_tuning.jsonl",
    "solicitation_holdout_round2.jsonl",
    "solicitation_check_round2.jsonl",
    "solicitation_holdout_round3.jsonl",
    "solicitation_check_round3.jsonl",
    # Round 6: ordinary short chat (greetings, questions, "this is …") and short asks, written for
    # training: the sets above held few short innocent messages, so words like "есть" and "this"
    # leaned towards a flag.
    "solicitation_training_round6.jsonl",
    # Round 10: the held-out sets of rounds 4 to 9, each spent (measured once, its errors read),
    # and 1,400 messages written for training, most of the innocent ones naming what asks name.
    "solicitation_holdout_round4.jsonl",
    "solicitation_holdout_round5.jsonl",
    "solicitation_holdout_round6.jsonl",
    "solicitation_holdout_round7.jsonl",
    "solicitation_holdout_round8.jsonl",
    "solicitation_holdout_round9.jsonl",
    "solicitation_training_round10_en.jsonl",
    "solicitation_training_round10_ru.jsonl",
    # Measured once on round 10's detector (496d2a9), its errors read: spent.
    "solicitation_holdout_round10.jsonl",
    # Round 12: round 11's held-out set (measured once on 1d4e5e6, its errors read: spent) and
    # 1,000 messages written for training, asks and innocent lines of round 11's error kinds.
    "solicitation_holdout_round11.jsonl",
    "solicitation_training_round12_en.jsonl",
    "solicitation_training_round12_ru.jsonl",
    # Round 13: round 12's held-out set (measured once on ab91f33 and once on 1ececb5, its errors
    # read: spent) and 2,000 messages written for training by four writers, with terse refusals,
    # goods named after a messenger or a payment service, asks by sequence or by symbol ("cancel =
    # refund") and the dispute named by a synonym only.
    "solicitation_holdout_round12.jsonl",
    "solicitation_training_round13_en_a.jsonl",
    "solicitation_training_round13_en_b.jsonl",
    "solicitation_training_round13_ru_a.jsonl",
    "solicitation_training_round13_ru_b.jsonl",
    # Round 13's two held-out sets, measured once on ab91f33 and once on 5495967, errors read.
    "solicitation_holdout_round13_a.jsonl",
    "solicitation_holdout_round13_b.jsonl",
    # Round 15: round 14's two held-out sets (measured once on 135842a, errors read: spent) and
    # 1,963 messages written for training by four writers, of round 14's error kinds: mechanical
    # instructions with close/remove, refusals of bank details, the dispute named by a pronoun,
    # politeness words inside the ask, regional payment routes, shorthand with symbols. The
    # buyers' own off-platform asks the writers labelled innocent (a buyer says them) were left
    # out: the classifier reads the text, not who writes it.
    "solicitation_holdout_round14_a.jsonl",
    "solicitation_holdout_round14_b.jsonl",
    "solicitation_training_round15_en_a.jsonl",
    "solicitation_training_round15_en_b.jsonl",
    "solicitation_training_round15_ru_a.jsonl",
    "solicitation_training_round15_ru_b.jsonl",
    # Round 15's two held-out sets, measured once on 232992a, errors read: spent.
    "solicitation_holdout_round15_a.jsonl",
    "solicitation_holdout_round15_b.jsonl",
    # Round 16's two held-out sets, measured once on round 16's detector, errors read: spent.
    "solicitation_holdout_round16_a.jsonl",
    "solicitation_holdout_round16_b.jsonl",
    # Round 17's two held-out sets, measured once on f02d3c6, errors read: spent.
    "solicitation_holdout_round17_a.jsonl",
    "solicitation_holdout_round17_b.jsonl",
    # Round 19: round 18's two held-out sets (measured once on b2c3ead and once on d070655, errors
    # read: spent) and 1,600 messages written for training by four writers, of round 18's error
    # kinds: asks by implication, follow-ups to a deal made elsewhere, colloquial pushes, threats,
    # off-platform routes in unusual words; buyers reporting asks, warnings as questions, other
    # senses of the same words, the platform refunding.
    "solicitation_holdout_round18_a.jsonl",
    "solicitation_holdout_round18_b.jsonl",
    "solicitation_training_round19_en_a.jsonl",
    "solicitation_training_round19_en_b.jsonl",
    "solicitation_training_round19_ru_a.jsonl",
    "solicitation_training_round19_ru_b.jsonl",
    # Round 20: round 19's two held-out sets (measured once on d070655 and once on a6ae4c7, errors
    # read: spent) and 1,600 messages written for training by four writers, of round 19's error
    # kinds: the dispute edited to say all is well, the button by allusion, threats, pleas, false
    # promises that it can be reopened, rare benefit words; buyers quoting asks to the arbiter,
    # sellers listing channels they don't use, sellers telling the buyer not to cancel yet.
    "solicitation_holdout_round19_a.jsonl",
    "solicitation_holdout_round19_b.jsonl",
    "solicitation_training_round20_en_a.jsonl",
    "solicitation_training_round20_en_b.jsonl",
    "solicitation_training_round20_ru_a.jsonl",
    "solicitation_training_round20_ru_b.jsonl",
    # Round 21: round 20's two held-out sets (measured once on a6ae4c7 and once on c02cf09, errors
    # read: spent) and 1,599 messages written for training by four writers, of round 20's error
    # kinds: messengers by euphemism, threats of reviews or the police, receipt confirmed so that
    # the dispute closes, card photos, cash in person; advice on when to close, buyers reporting
    # offers, sellers explaining who closes a dispute. One line equal to a round-21 held-out line
    # was left out.
    "solicitation_holdout_round20_a.jsonl",
    "solicitation_holdout_round20_b.jsonl",
    "solicitation_training_round21_en_a.jsonl",
    "solicitation_training_round21_en_b.jsonl",
    "solicitation_training_round21_ru_a.jsonl",
    "solicitation_training_round21_ru_b.jsonl",
    # Round 22: round 21's two held-out sets (measured once on c02cf09 and once on 0367556,
    # errors read: spent) and 1,600 messages written for training by four writers, of round 21's
    # error kinds: refund requests asked to be cancelled, ultimatums and threats with the ask
    # inside, money only once the case's status says closed, slang and staccato for ending it,
    # follow-ups to an e-mail or a deal made elsewhere, bank routes by technical names; "close"
    # of other things, sellers disowning a messenger account, hypothetical warnings, buyers'
    # reports and questions.
    "solicitation_holdout_round21_a.jsonl",
    "solicitation_holdout_round21_b.jsonl",
    "solicitation_training_round22_en_a.jsonl",
    "solicitation_training_round22_en_b.jsonl",
    "solicitation_training_round22_ru_a.jsonl",
    "solicitation_training_round22_ru_b.jsonl",
    # Round 23: round 22's two held-out sets (measured once on 000addc and once on ae51d63, errors
    # read: spent) and 1,600 messages written for training by four writers, of round 22's error
    # kinds: asks by allusion to an earlier deal, a contact left in the parcel or a product photo,
    # made-up rules that reward closing, cash hidden in a parcel, threats far from the ask;
    # buyers quoting asks or asking how a dispute closes, notes and photos in parcels with no ask,
    # sellers describing the platform's real rules, reviews and ratings talked about with no ask.
    "solicitation_holdout_round22_a.jsonl",
    "solicitation_holdout_round22_b.jsonl",
    "solicitation_training_round23_en_a.jsonl",
    "solicitation_training_round23_en_b.jsonl",
    "solicitation_training_round23_ru_a.jsonl",
    "solicitation_training_round23_ru_b.jsonl",
    # Round 24: round 23's two held-out sets (measured once on c2f890c and once on 5a5375d, errors
    # read: spent) and 1,600 messages written for training by four writers, of round 23's error
    # kinds: receipt confirmed or buyer protection ended as the way to end the case, a zero refund
    # or the seller's proposal accepted for something, bare and hurried orders to close, cash in
    # person, implicit threats and promised surprises; store promotions, closing refused, hacked
    # channels, buyers asking for a replacement or a messenger.
    "solicitation_holdout_round23_a.jsonl",
    "solicitation_holdout_round23_b.jsonl",
    "solicitation_training_round24_en_a.jsonl",
    "solicitation_training_round24_en_b.jsonl",
    "solicitation_training_round24_ru_a.jsonl",
    "solicitation_training_round24_ru_b.jsonl",
    # Round 25: round 24's two held-out sets (measured once on 3f02ff1, errors read: spent) and
    # 1,600 messages written for training by four writers, of round 24's error kinds: the refund
    # amount set to zero or a "no refund" solution accepted, receipt confirmed for money "sent
    # separately", handles and links because "the chat is monitored", contacts spelled in words,
    # "the only condition is…", veiled threats, a status chosen in the app, the refund request
    # cancelled; promises not to ask, free gift cards, buyers quoting asks, delivery chat.
    "solicitation_holdout_round24_a.jsonl",
    "solicitation_holdout_round24_b.jsonl",
    "solicitation_training_round25_en_a.jsonl",
    "solicitation_training_round25_en_b.jsonl",
    "solicitation_training_round25_ru_a.jsonl",
    "solicitation_training_round25_ru_b.jsonl",
    # Round 26: round 25's two held-out sets (measured once on 98f5e07, errors read: spent) and
    # 1,600 messages written for training by four writers, of round 25's error kinds: buyer
    # protection left to run out, the platform's question left unanswered or answered "yes",
    # receipt confirmed or the goods accepted in the app before they arrive, the refund given up,
    # the claim's reason changed or its photos deleted, a QR code or cash by courier, guilt and
    # veiled threats; buyers asking for a channel, sellers explaining the refund route.
    "solicitation_holdout_round25_a.jsonl",
    "solicitation_holdout_round25_b.jsonl",
    "solicitation_training_round26_en_a.jsonl",
    "solicitation_training_round26_en_b.jsonl",
    "solicitation_training_round26_ru_a.jsonl",
    "solicitation_training_round26_ru_b.jsonl",
)
# Written before the round that measures on it, by someone who had not read the detector or the
# other sets; never trained on. Round 26's two sets were written by two writers apart (b as a
# red team) and committed (1b2c12c, cc27518) before round 25's errors were acted on; each line
# also says who writes it ("speaker").
HELD_OUT = ("solicitation_holdout_round26_a.jsonl", "solicitation_holdout_round26_b.jsonl")
TARGET_PRECISION = 0.98
# Round 17: half of what it was (0.01). Each fresh set of rounds 13 to 16 lost two or three asks
# to the veto (a pattern had caught them, the classifier scored them under 0.23), more than the
# 1 % the cross-validation promised, while precision was at or above target on round 16.
VETO_RECALL_COST = 0.005
# Round 22: the name veto's own share (``choose_name_veto``): a channel merely named is weak
# evidence, but it is also how most short asks start ("WhatsApp?"), so it may cost half as much.
NAME_VETO_RECALL_COST = 0.0025
VETO_MAX = 0.5
EPOCHS = 30
L2 = 1e-5
LEARNING_RATE = 0.5
MIN_MESSAGES = 2  # a feature must occur in this many training messages
SEED = 17
DECIMALS = 6


@dataclass(frozen=True)
class Example:
    text: str
    solicit: bool
    lang: str
    source: str
    found: tuple[str, ...]  # features, repeated as often as they occur


def load_sets(names: Iterable[str] = TRAINING_SETS, data: Path = DATA) -> list[Example]:
    examples = []
    for name in names:
        with (data / name).open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    row = json.loads(line)
                    if row.get("speaker") == "buyer":
                        continue  # round 26: the product never scores a buyer's message
                    found = tuple(features(text_variants(row["text"])))
                    examples.append(Example(row["text"], bool(row["solicit"]), row["lang"], name, found))
    return examples


def fit(examples: Sequence[Example], threshold: float = 0.5) -> Classifier:
    """Logistic regression by SGD over ``examples`` (see the module docstring)."""
    counts = Counter(feature for example in examples for feature in set(example.found))
    kept = [
        sorted(Counter(f for f in example.found if counts[f] >= MIN_MESSAGES).items()) for example in examples
    ]
    labels = [1.0 if example.solicit else 0.0 for example in examples]
    # w = scale * raw: the L2 shrinking of every weight at each step is one multiplication.
    raw: dict[str, float] = {}
    scale, bias, step = 1.0, 0.0, 0
    order = list(range(len(examples)))
    shuffler = random.Random(SEED)
    for _epoch in range(EPOCHS):
        shuffler.shuffle(order)
        for index in order:
            found = kept[index]
            value = 1.0 / math.sqrt(len(examples[index].found)) if found else 0.0
            rate = LEARNING_RATE / (1.0 + LEARNING_RATE * L2 * step)
            step += 1
            margin = bias + scale * value * sum(raw.get(f, 0.0) * n for f, n in found)
            gradient = _sigmoid(margin) - labels[index]
            scale *= 1.0 - rate * L2
            if scale < 1e-9:
                raw = {f: w * scale for f, w in raw.items()}
                scale = 1.0
            change = rate * gradient * value / scale
            for f, n in found:
                raw[f] = raw.get(f, 0.0) - change * n
            bias -= rate * gradient
    weights = {f: round(w * scale, DECIMALS) for f, w in sorted(raw.items())}
    return Classifier({f: w for f, w in weights.items() if w}, round(bias, DECIMALS), threshold)


_FORKED: Sequence[Example] = ()  # the examples, for the forked workers of ``out_of_set_models``


def out_of_set_models(examples: Sequence[Example], jobs: int | None = None) -> dict[str, Classifier]:
    """For each set, a classifier trained on every other set (leave one set out).

    The fits are independent, so they run in ``jobs`` processes (default: one per CPU); each is
    the same seeded fit, so the models are the same with any number of processes."""
    sources = sorted({example.source for example in examples})
    jobs = min(jobs or os.cpu_count() or 1, len(sources))
    if jobs <= 1:
        return {source: _fit_without(source, examples) for source in sources}
    global _FORKED  # read by the forked workers, which inherit it without pickling
    _FORKED = examples
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            models = pool.map(_fit_without, sources, chunksize=1)
    finally:
        _FORKED = ()
    return dict(zip(sources, models, strict=True))


def _fit_without(source: str, examples: Sequence[Example] | None = None) -> Classifier:
    examples = _FORKED if examples is None else examples
    return fit([e for e in examples if e.source != source])


def out_of_set_scores(
    examples: Sequence[Example], models: dict[str, Classifier] | None = None
) -> list[float]:
    """Each example's score from the classifier trained without its set."""
    models = models if models is not None else out_of_set_models(examples)
    return [_sigmoid(models[example.source].margin_of(example.found)) for example in examples]


@dataclass(frozen=True)
class VetoScore:
    """What the vetoes read of one example, scored out of set (``veto_scores``)."""

    windows: float | None  # the highest of the whole message and its windows; None: not flagged so
    named: float | None  # the whole message, when a channel merely named flags it; else None


def veto_scores(examples: Sequence[Example], models: dict[str, Classifier]) -> list[VetoScore]:
    """For each example, its out-of-set scores as the vetoes read them (``matching.detect``):
    the highest of the whole message and its matches' windows when a shipped pattern other than
    a channel merely named flags it (the veto keeps a flag unless all are under it), and the
    whole message when a channel merely named flags it (the name veto)."""
    scores = []
    for example in examples:
        windows, named = veto_windows(example.text, DEFAULT_PATTERNS)
        model = models[example.source]
        scores.append(
            VetoScore(
                max((model.score_variants(w) for w in windows), default=None),
                model.score(example.text) if named else None,
            )
        )
    return scores


def precision_recall(flags: Sequence[bool], labels: Sequence[bool]) -> tuple[float, float]:
    tp = sum(f and y for f, y in zip(flags, labels, strict=True))
    flagged, positive = sum(flags), sum(labels)
    return (tp / flagged if flagged else 1.0), (tp / positive if positive else 1.0)


def choose_threshold(examples: Sequence[Example], scores: Sequence[float]) -> float:
    """The lowest score (in steps of 0.01, from 0.5) at which out-of-set precision reaches
    ``TARGET_PRECISION`` in each language; 0.99 if none does."""
    for hundredths in range(50, 100):
        threshold = hundredths / 100
        if all(
            precision_recall(
                [s >= threshold for s, e in zip(scores, examples, strict=True) if e.lang == lang],
                [e.solicit for e in examples if e.lang == lang],
            )[0]
            >= TARGET_PRECISION
            for lang in ("en", "ru")
        ):
            return threshold
    return 0.99


def choose_veto(examples: Sequence[Example], scores: Sequence[float | None]) -> float:
    """The highest score (in steps of 0.01, up to ``VETO_MAX``) below which the solicitations
    the shipped patterns flag, scored as ``veto_scores`` scores them (None: not flagged), are
    at most ``VETO_RECALL_COST`` of the solicitations in each language; 0 (no veto) if even
    0.01 costs more."""
    veto = 0.0
    for hundredths in range(1, round(VETO_MAX * 100) + 1):
        candidate = hundredths / 100
        for lang in ("en", "ru"):
            rows = [s for s, e in zip(scores, examples, strict=True) if e.lang == lang and e.solicit]
            lost = sum(1 for s in rows if s is not None and s < candidate)
            if lost > VETO_RECALL_COST * len(rows):
                return veto
        veto = candidate
    return veto


def choose_name_veto(examples: Sequence[Example], scores: Sequence[VetoScore], veto: float) -> float:
    """The highest score (in steps of 0.01, up to ``VETO_MAX``) below which the solicitations a
    channel merely named flags, scored on the whole message, lose every flag (the other shipped
    patterns' flags overruled at ``veto`` too) for at most ``NAME_VETO_RECALL_COST`` of the
    solicitations in each language; 0 (no name veto) if even 0.01 costs more.

    An upper bound of the cost: ``matching.detect`` also keeps the flag when one of the channel's
    windows reaches the flagging threshold (an ask padded with small talk), which this counts as
    lost."""
    name_veto = 0.0
    for hundredths in range(1, round(VETO_MAX * 100) + 1):
        candidate = hundredths / 100
        for lang in ("en", "ru"):
            rows = [s for s, e in zip(scores, examples, strict=True) if e.lang == lang and e.solicit]
            lost = sum(
                1
                for s in rows
                if s.named is not None and s.named < candidate and (s.windows is None or s.windows < veto)
            )
            if lost > NAME_VETO_RECALL_COST * len(rows):
                return name_veto
        name_veto = candidate
    return name_veto


def train(
    examples: Sequence[Example] | None = None,
    threshold: float | None = None,
    veto: float | None = None,
    jobs: int | None = None,
    name_veto: float | None = None,
) -> Classifier:
    """The classifier the weights file holds: trained on every training set, with the threshold
    and the two veto thresholds from cross-validation unless given (one pass serves them all;
    its fits run in ``jobs`` processes)."""
    examples = list(examples if examples is not None else load_sets())
    if threshold is None or veto is None or name_veto is None:
        models = out_of_set_models(examples, jobs)
        if threshold is None:
            threshold = choose_threshold(examples, out_of_set_scores(examples, models))
        if veto is None or name_veto is None:
            scores = veto_scores(examples, models)
            if veto is None:
                veto = choose_veto(examples, [score.windows for score in scores])
            if name_veto is None:
                name_veto = choose_name_veto(examples, scores, veto)
    model = fit(examples)
    model.threshold, model.veto, model.name_veto = threshold, veto, name_veto
    return model


def to_json(model: Classifier) -> dict[str, Any]:
    return {
        "about": "Solicitation classifier (R-DSP-8); written by manage.py train_solicitation_classifier",
        "training_sets": list(TRAINING_SETS),
        "threshold": model.threshold,
        "veto_threshold": model.veto,
        "name_veto_threshold": model.name_veto,
        "bias": model.bias,
        "weights": model.weights,
    }


def dumps(model: Classifier) -> str:
    return json.dumps(to_json(model), ensure_ascii=False, indent=0, sort_keys=False) + "\n"
