"""Precision, recall and speed of the off-platform solicitation detector (R-DSP-8).

Runs the default pattern set (``arbitration.solicitation.DEFAULT_PATTERNS``, the data that
the migrations ship) and the committed classifier (``classifier_weights.json``) in memory,
without a database, over the labelled sets in tests/arbitration/data (read by path), and prints
precision and recall per set and language (with the patterns alone beside them), every
misclassified message, and how many messages per second the matching takes (with and without
the classifier). ``--cross-validate`` also prints the classifier's figures on its training sets,
each set scored by a classifier trained on the others (about half a minute).

    .venv/bin/python bench/solicitation_eval.py [--verbose] [--seconds N] [--cross-validate]

Each held-out set was written and committed before the detector was changed for it, and each
check set after, never tuned to. Measured so far (P = precision, R = recall):

- ``solicitation_holdout_evasion.jsonl`` (224, issue 17, round 1): before tuning EN P 0.981
  R 0.946, RU P 1.000 R 0.982; tuned on since (1.00), so no longer held out.
- ``solicitation_check_after_tuning.jsonl`` (80, round 1): EN P 0.947 R 0.900, RU P 1.000
  R 0.950 when first measured; EN P 0.950 R 0.950 after round 2's general changes (a brand
  name one slip away). Keep it untouched.
- ``solicitation_holdout_round2.jsonl`` (249, round 2): before tuning EN P 0.931 R 0.857,
  RU P 0.935 R 0.935; after tuning 1.00 (so it, too, is no longer held out).
- ``solicitation_check_round2.jsonl`` (80, round 2, written after the round-2 tuning and
  measured once): EN P 0.889 R 0.800, RU P 0.947 R 0.900: the honest estimate of what a new
  seller writes then. Round 3 worked on the kinds of its misses named in its brief (e-mail in
  words, "personally rather than through the arbiter", negated messenger names, doubled
  letters), so its later figures are no estimate any more.
- ``solicitation_holdout_round3.jsonl`` (255, round 3, written before its author read the
  detector): before tuning EN P 0.911 R 0.773, RU P 0.875 R 0.742 (two innocent Russian
  messages that by chance repeated older sets, both read right, were dropped since: the figures
  stay). After round 3's general changes 1.00, so no longer held out.
- ``solicitation_check_round3.jsonl`` (80, round 3, written after the round-3 tuning and
  measured once): EN P 0.864 R 0.950, RU P 0.905 R 0.950. Missed: a payment named by a word
  not in the lists ("e-transfer", "по номеру телефона … скажите банк"); wrongly flagged: a
  messenger named as what a device reads out or who runs an account, "not going to ask you to
  drop the claim". Keep it untouched; write a new held-out set before the next round.
- Round 4 changed the kind of detector: a logistic regression over character n-grams of the
  normalised text (``arbitration/solicitation/classifier.py``), trained on every set above,
  which flags what no pattern flags when its score reaches 0.75 (the lowest threshold with
  out-of-set precision >= 0.98 in each language, leaving one set out). From round 4 on, the
  figures on the sets above are in-sample for the classifier too.
- ``solicitation_holdout_round4.jsonl`` (248, round 4, written and committed before its author
  read the detector or the other sets; never trained on, ``training.HELD_OUT``): before, the
  patterns alone, measured once: EN P 0.917 R 0.887, RU P 0.905 R 0.919. With the classifier,
  measured once, nothing tuned after: EN P 0.908 R 0.952, RU P 0.910 R 0.984. Recall rose;
  precision did not, as the classifier only adds flags and the false alarms are the patterns'
  (five in English, six in Russian; the classifier added one more in English).
- Cross-validated on the 1,293 training messages (leave one set out): the classifier alone at
  0.50 EN P 0.943 R 0.908, RU P 0.959 R 0.923; at 0.75 EN P 0.981 R 0.804, RU P 0.989
  R 0.828; patterns or classifier EN P 0.973 R 0.997, RU P 0.985 R 1.000 (optimistic: the
  patterns were tuned on these sets).
- Speed with the classifier, three runs on the shared two cores: 5,387, 3,747 and 4,792
  messages/s of CPU time (patterns alone in the same runs 6,097, 4,594 and 6,352) at load
  average 3.6, 2.6 and 3.5; the classifier costs about 35 microseconds a message, 12-25 % more
  time. Under that load the 5,000 target is not reliably met; measure on a quiet machine.

- ``solicitation_holdout_round5.jsonl`` (200, round 5, written and committed before its author
  read the detector; never trained on, ``training.HELD_OUT``; its innocent half heavy on the
  false-alarm kinds: messengers as device features, refusals, the writer closing the dispute).
  Before, measured once: EN P 0.704 R 1.000, RU P 0.817 R 0.980 (patterns alone EN P 0.727
  R 0.960, RU P 0.821 R 0.920). Round 5 added exempt scopes (``scopes.py``: a messenger as what a
  device does, a first-person refusal whatever the verb, someone else's request told as a story,
  the writer or the arbiter closing the dispute), ended refusals at an order to the reader, and
  hid the words an exempt match covers from the classifier (too few left: no flag). After,
  measured once, nothing tuned after: EN P 0.926 R 1.000, RU P 0.980 R 0.980 (patterns alone
  EN P 0.960 R 0.960, RU P 0.979 R 0.920). English precision still misses: two apps named with
  goods by words the lists lack ("shortcut keys for Skype", "certified for Zoom and Teams"; the
  second the classifier's), "we do not accept bank transfers outside the marketplace" (the
  refusal's verb list lacks "accept … transfers" as a target) and "my claim is withdrawn" (the
  classifier, 0.75); in Russian the Skype keyboard and one missed euphemism ("сделайте так,
  чтобы спора не было"). These errors were read after the measurement.
- Round 4's set after round 5 (no longer held out: its errors were read in round 5's brief):
  EN P 1.000 R 0.952, RU P 1.000 R 0.984; every earlier held-out set 1.00, the check sets as
  before or better (check round 3: EN P 0.950 R 0.950, RU P 0.952 R 1.000).
- Speed after round 5: 5,472 and 5,735 messages/s of CPU time with the classifier (patterns
  alone 7,079 and 7,127) at load average 1.85 and 1.83; before round 5, 7,504 (patterns alone
  not noted) at load 0.95, so the cost of the four exempt patterns is not measured apart from
  the load.

- ``solicitation_holdout_round6.jsonl`` (256, round 6, written and committed before its author
  read the detector or the other sets' content; never trained on, ``training.HELD_OUT``; its
  innocent half heavy on refusals, the refund route, apps named with goods, the writer closing,
  platform notices and short chat). Before, measured once: EN P 0.925 R 0.969, RU P 0.913
  R 0.984 (patterns alone EN P 0.922 R 0.922, RU P 0.937 R 0.922). Wrongly flagged: apps named
  as goods (a router's Telegram bot, Skype in an Office licence, "работает со Skype"), refusals
  of kinds no scope held ("not going to give you my WhatsApp", "у меня нет вотсапа", "bank
  transfers … are not something we do"), a platform notice ("withdrawing a dispute is final"),
  and by the classifier "я случайно закрыл спор" and a four-word greeting asking for news;
  missed: a gift tied to "the same day you withdraw the request", "dispute off = new case",
  "пусть жалоба уйдёт". Round 6 worked on those kinds in both languages (``scopes.ROUND6_EXEMPT``,
  migration arbitration 0023) and gave the classifier a training set of ordinary short chat and
  short asks (``solicitation_training_round6.jsonl``, written for training; the greeting kind is
  in it), which raised its cross-validated threshold from 0.75 to 0.81. Midway, one run of this
  bench printed round 6's totals (not its messages) with a broken exempt pattern; nothing was
  tuned to it. After, measured once, nothing tuned after: EN P 1.000 R 1.000, RU P 1.000 R 1.000
  (patterns alone EN P 1.000 R 0.953, RU P 1.000 R 0.938). That is not an estimate of a new
  seller's messages: its author wrote both the set and the changes, after reading its errors;
  the "before" figures are the estimate, and the next round needs a new set.
- After round 6 (none held out any more): round 5 EN P 1.000 R 1.000, RU P 1.000 R 1.000
  (patterns alone EN R 0.980, RU R 0.940); round 4 EN P 1.000 R 1.000, RU P 1.000 R 1.000
  (patterns alone EN R 0.984, RU R 0.935; its last misses, read in round 5's brief, were fixed
  as kinds: "drop the whole thing", "замнём", "wa" before a bare number, the case closed as a
  need); every other set 1.00 except check round 3 as before (EN P 0.950 R 0.950, RU P 0.952
  R 1.000: someone else running the buyer's Facebook, "e-transfer"). Cross-validated on the
  1,413 training messages: classifier at 0.81 EN P 0.981 R 0.764, RU P 0.986 R 0.806; patterns
  or classifier EN P 0.983 R 0.997, RU P 0.986 R 0.994. Speed: 7,593 messages/s of CPU time
  with the classifier (9,091 without) at load average 3.7.

- ``solicitation_holdout_round7.jsonl`` (256, round 7, an independent measurement: written and
  committed before its author read the detector, its tests or the other sets' content; never
  trained on, ``training.HELD_OUT``; the asks cover conditional gifts and discounts, euphemisms,
  transliterated Russian and slang messenger names, look-alike letters, digits, mixed scripts,
  spaced letters and zero-width characters, elliptical asks, a contact offered, money off the
  platform and a few buyers asking; the innocent half heavy on refusals, warnings, payment on the
  platform, the refund route, apps named with goods, the writer closing, questions about the
  dispute, the seller acting through the platform, other senses of "close"/"between us"/"gift",
  and short chat). Measured once with the detector as round 6 left it; nothing was tuned, before
  or after: EN P 0.954 R 0.969, RU P 0.954 R 0.969 (patterns alone EN P 0.952 R 0.922, RU
  P 0.950 R 0.891): below the 0.98 target in each language. Wrongly flagged: a buyer's question
  about calls in a messenger on the goods (both languages), a buyer closing the case ("closing my
  case now"), a refusal with "nobody … will ever contact you on Viber or by email" (both
  languages), "между нами и другими магазинами" (a comparison, not a private deal); missed: "20$
  if closed", a special price for the next order "if the dispute goes away", the cost of a
  replacement's shipping to be paid "переводом на карту, так без комиссии площадки", a buyer's
  "скиньте деньги на сбер, тогда отзову жалобу". This is the current estimate for a new seller's
  messages; once the next round reads these errors, the set is no longer held out.
- Round 8 read round 7's errors and worked on their kinds in both languages (``scopes.ROUND8_EXEMPT``,
  migration arbitration 0024; the classifier and its training data unchanged, ``--check`` passes):
  a messenger's calls named as what goods are used for, warnings in the universal negative
  ("nobody from our team will contact you on …"), the writer closing their own case in the present
  continuous, someone else running the writer's social account, "between us and other shops" as a
  comparison; money asked of the other side into a card, bank or wallet ("pay … by transfer to my
  card", "скиньте деньги на сбер"), the platform's fee named as what is saved, a bare participle as
  the closing condition ("20$ if closed", "500 ₽ после отмены"), a better price as a benefit,
  "e-transfer"/Interac. Round 7 is now tuned on, so no longer held out: after, EN P 1.000 R 1.000,
  RU P 1.000 R 1.000 (patterns alone EN P 1.000 R 0.953, RU P 1.000 R 0.953). Every other set 1.00,
  check round 3 too (its "e-transfer" and Facebook errors were among round 8's kinds); patterns
  alone no set lost a message against round 7's code. There is no unseen set left: the next round
  needs a new one for an estimate. Speed: 6,393, 6,496 and 7,247 messages/s of CPU time with the
  classifier (7,934, 8,039 and 8,659 without) at load average 4.0, 4.1 and 3.7; 31 patterns. An
  order cancelled in time ("money back if cancelled before dispatch") is kept out of the bare
  participle.

- ``solicitation_holdout_round8.jsonl`` (280, 70 per language and label; an independent
  measurement: written and committed (566a7ee) before its author read the detector, its tests,
  the other sets' content or the round-8 tuning branch; never trained on, ``training.HELD_OUT``;
  the asks cover plain and polite requests to close or withdraw, euphemisms ("make this case go
  away", "договоримся по-хорошему"), conditional gifts, replacements and money in either order,
  a channel or contact offered (messengers incl. slang and transliterated names, e-mail, phone),
  money off the platform (card, bank, wallets, crypto), look-alike letters, digits, mixed scripts,
  spaced or dotted letters and a zero-width character, elliptical asks with the currency sign
  before or after; the innocent half: refusals and warnings, payment on the platform, the refund
  route, apps named with goods, the writer closing their own case, questions about disputes,
  other senses of "close"/"between us"/"gift"/"transfer", the seller acting through the
  platform, and short chat). Measured once on main 01496e6 (merge of round 8's tuning, detector
  last changed in 4826fa5); nothing was tuned, before or after: EN P 1.000 R 0.971 (TP 68 FP 0
  FN 2), RU P 0.918 R 0.957 (TP 67 FP 6 FN 3); patterns alone EN P 1.000 R 0.929, RU P 0.915
  R 0.929: below the 0.98 target in EN recall and in both RU figures. Missed: "half refund if
  dispute closed today", moving the conversation "to Signal", "закройте плиз, посылка едет",
  "Не надо эскалировать, договоримся по-хорошему", "500р за закрытие". Wrongly flagged (all
  Russian, all pattern flags): refusals "вне AliExpress не можем" and "никакого вотсапа, только
  этот чат", a warning about a past seller asking "на карту вне сайта", messengers named with
  goods ("в телефоне работает ВКонтакте и вотсап?", "не работают в Скайпе"), "между нами
  говоря" as an aside. The English twins of those innocent messages were not flagged. Speed in
  that run: 7,266 messages/s of CPU time with the classifier (8,753 without), load average 2.0.
  This is the current estimate for a new seller's messages; once a round reads these errors,
  the set is no longer held out.
- Round 9 read round 8's errors and worked on their kinds as structures in both languages
  (``scopes.ROUND9_EXEMPT``, migration arbitration 0025; the classifier and its training data
  unchanged): a Russian refusal with no first person ("… не можем", "нельзя …", "никакого …"), a
  past request by someone else reported as a warning (up to a turn like "но"/"but"), a messenger
  as where goods work or fail ("работает ли … Телеграм", "the mic cuts out in Discord"), unless an
  ask to write follows; the idiom "между нами говоря" / "between you and me, …"; the messenger
  list ("to Signal", TamTam, Wire, KakaoTalk in Cyrillic, Facebook Messenger); asking not to
  escalate ("don't escalate", "не надо эскалировать"); part of the money ("half refund") and an
  amount "за закрытие" for closing; a bare "закройте плз" followed by a clause of its own. Round 8
  is now tuned on, so no longer held out: after, EN P 1.000 R 1.000, RU P 1.000 R 1.000 (patterns
  alone EN P 1.000 R 0.957, RU P 1.000 R 0.971). Every other set unchanged at 1.00, patterns alone
  too (no set lost or gained a message). No unseen set is left: the next round needs a new one
  for an estimate. Speed: 6,915, 6,946 and 7,023 messages/s of CPU time with the classifier
  (8,212, 8,314 and 7,902 without) at load average 1.3, 0.8, 0.8; 34 patterns.

- ``solicitation_holdout_round9.jsonl`` (288, 72 per language and label; an independent
  measurement: written and committed (4dd1cb3) before its author read the detector, its tests,
  the other sets' content or the round-9 tuning branch; never trained on, ``training.HELD_OUT``;
  the asks cover plain and pleading requests to close, cancel or withdraw, euphemisms ("make this
  case go away", "sign off the dispute as solved", "не будем доводить до арбитража"), gifts,
  replacements, extra items, coupons and money on condition in either order, elliptical asks
  ("10$ if u close", "отмена спора = подарок", the currency sign before or after), money off the
  platform (PayPal, Venmo, Zelle, Western Union, card, СБП, ЮMoney, USDT/BTC), a channel or
  contact offered (messengers, Skype, Discord, Instagram, e-mail, phone), look-alike letters and
  digits, mixed Latin/Cyrillic scripts, spaced or dotted letters, and 15 asks in Russian written
  in Latin letters; the innocent half: refusals and warnings, payment on the platform, the
  refund route, apps and cards as goods, the writer closing their own case in any tense,
  questions about disputes, other senses of "close"/"between us"/"gift"/"transfer"/"call me",
  the seller acting through the platform, and chat down to one word). Three texts happen to equal
  earlier held-out messages ("ok"/"ок" in rounds 6 and 7, "zakroite spor pozhaluista, ya vam vse
  vernu" in round 5), found after writing. Measured once on main f3a0c97 (merge of round 9's
  tuning, detector last changed in 10e8cca); nothing was tuned, before or after: EN P 0.946
  R 0.972 (TP 70 FP 4 FN 2), RU P 0.922 R 0.986 (TP 71 FP 6 FN 1); patterns alone EN P 0.957
  R 0.917, RU P 0.921 R 0.972: below the 0.98 target in both precisions and in EN recall.
  Missed: "Let's keep arbitration out of this", "Sign off the dispute as solved and you will
  receive a present", "ТеIеграм @fixshop" (a Latin I for л). Wrongly flagged: a messenger named
  as goods or in a warning or refusal ("a Telegram sticker pack printed on a t-shirt", "чехол с
  логотипом Телеграм", "Если кто-то просит написать в Телеграм, сообщайте", "телеграм-канала у
  нас нет"), a refusal "никогда не предлагает скидки за закрытие спора", the buyer asking to
  cancel their own dispute in both languages (EN by the classifier), "Between us, the colour
  looks even better", "the courier couldn't call me", "Продавец видит мой номер телефона?".
  Speed in that run: 7,087 messages/s of CPU time with the classifier (8,342 without), load
  average 0.7. This is the current estimate for a new seller's messages; once a round reads
  these errors, the set is no longer held out.

- Round 10 changed how the two parts combine: the classifier may overrule a shipped pattern
  (``matching.detect``: the match's sentence, at most ten words each side, scored below the veto
  threshold, chosen by cross-validation so it costs at most 1% of out-of-set recall: 0.17),
  and it was trained on 4,341 messages: the spent held-out sets of rounds 4 to 9 and 1,400 new
  ones (``solicitation_training_round10_{en,ru}.jsonl``, two writers, mostly innocent messages
  that name what asks name). Round 9's set as a development set (a classifier trained without
  it): EN P 1.000 R 1.000, RU P 0.986 R 1.000 with the veto, EN P 0.960, RU P 0.923 without
  (optimistic: the training writers' brief named some of round 9's false-alarm kinds).
- ``solicitation_holdout_round10.jsonl`` (288, 72 per language and label; written and committed
  (6b7e1ab) before its author read the detector, the other sets or any git log; ten of its texts
  equal a training text, case aside, mostly short chat). Measured once on 496d2a9, nothing
  tuned: EN P 0.944 R 0.944 (TP 68 FP 4 FN 4), RU P 0.957 R 0.931 (TP 67 FP 3 FN 5); patterns
  alone EN P 0.915 R 0.903, RU P 0.914 R 0.889. The veto took precision from 0.897 (EN) and
  0.895 (RU) without it to the figures above, and cost three solicitations (RU "просим
  отозвать спор", EN "€15 for closing, deal?", "Why bother the admins with this? You and me
  can agree directly.": the last read in its sentence alone). Four of the seven false alarms
  were the classifier's own flags: the buyer's own closed dispute in both languages, "between
  you and me" as an aside, "call me Olga". Missed besides: euphemisms ("off the record", "пусть
  спор тихо исчезнет", "не передавайте дело на рассмотрение"), a condition "при условии, что
  спор будет снят", elliptical "no dispute = new phone", "закрыть = замена". Round 10's set is
  now a training set; from then on the veto also needs the whole message to score below it
  (threshold 0.67, veto 0.17 after re-training on 4,629 messages).
- ``solicitation_holdout_round11.jsonl`` (288, 72 per language and label; written and committed
  (fc05453) before its author read the detector or the other sets; it saw one git subject line
  naming the veto; one text equals a training text). Measured once on 1d4e5e6, nothing tuned:
  EN P 0.920 R 0.958 (TP 69 FP 6 FN 3), RU P 0.959 R 0.972 (TP 70 FP 3 FN 2); patterns alone
  EN P 0.859 R 0.931, RU P 0.889 R 0.889. Not met. Missed: a replacement "once the dispute is
  withdrawn", "5€ for closing?", shipping paid "to my Revolut, not on the site", a long polite
  "Закройте, пожалуйста, спор со своей стороны", "договоримся напрямую, администрацию
  беспокоить не будем". Wrongly flagged: the buyer's own closed or cancelled claim (EN twice, RU
  once; only sellers' messages are checked in the product, but the sets hold both), "Is it
  possible to withdraw a claim after the seller responds?", "just between us" and "call me
  old-fashioned" as asides, messengers' icons printed on goods (EN, RU), a warning about a fake
  Telegram account. Round 11's set is spent: the next round trains on it and writes round 12's
  first. The training sets written for round 10 (700 per language, never tuned on by the
  patterns, written without reading the detector): patterns alone P 0.819 R 0.813 (EN), P 0.819
  R 0.800 (RU) — the patterns' own estimate on that much fresh text.
- After round 11's measurement, the veto's window went from ten words each side to five: asks
  the patterns flag in rounds 10 and 11, padded with three sentences of small talk (``pad``
  below), lost to the veto 10/132 (EN) and 9/128 (RU) with ten — an ask with no full stop ran on
  into the small talk's sentence — and 4/132 and 4/128 with five, for one more innocent message
  flagged per language in those sets (classifier of 1d4e5e6). Re-trained, the cross-validated
  veto is 0.20; round 11's figures with it are unchanged (EN P 0.920 R 0.958, RU P 0.959
  R 0.972; no longer independent). ``pad``: "The parcel came today, the box was a bit dented but
  the item inside looks fine and works, colour is as in the photos, thanks for the quick
  delivery and nice packing, I will leave a review later this week." (and its Russian), twice
  before the ask, once after.
- Speed, the same messages (the 2,821 of the sets up to round 9) and machine, main before round
  10 (fcce4ce) and after, taken in turn twice: patterns alone 3,380/4,325 vs 4,603/3,616, with
  the classifier 2,746/3,006 vs 3,446/2,753 messages per CPU-second: no difference beyond the
  noise, and under 5,000 for both: this machine ran the same code at 7,000-8,300 in earlier
  sessions. The veto scores only messages a shipped pattern flags, and the windows only when
  the whole message scores under the veto.

- Round 12 (2026-12-07) went on with data, not patterns: the classifier re-trained on round
  11's set and 1,000 new training messages (``solicitation_training_round12_{en,ru}.jsonl``,
  written without reading the detector, most of them of round 11's error kinds), 5,917 messages,
  threshold 0.75, veto 0.19. From round 12 each line of a set says who writes it (``speaker``),
  and the bench also prints the figures *as the product reads them*: only sellers' messages are
  checked (``services.messages``), so a buyer's message is never flagged there.
- ``solicitation_holdout_round12.jsonl`` (288; committed b335442 before the classifier was
  re-trained; 3 texts equal a training text). Measured on ab91f33 (round 11's detector): EN
  P 0.973 R 0.986 (TP 71 FP 2 FN 1), RU P 0.972 R 0.972 (TP 70 FP 2 FN 2); patterns alone
  EN P 0.875 R 0.972, RU P 0.855 R 0.903. On 1ececb5 (re-trained as above; decided before the
  measurement): EN P 0.973 R 1.000, RU P 0.972 R 0.972. Errors read then: wrongly flagged a terse
  refusal "no zelle, no cashapp. only site refund", a WeChat QR-code stand, "ваш ватсап мне не
  нужен, давайте здесь", a sticker set «Телеграм»; missed "Сначала отмена спора, потом
  возврат полной суммы", "отмена = возврат". Spent.
- Round 13 trained on round 12's set and 2,000 more messages from four writers
  (``solicitation_training_round13_*``: terse refusals, goods named after a messenger or a
  payment service, asks by sequence or by symbol, the dispute named by a synonym only): 8,205
  messages, threshold 0.72, veto 0.24 (5495967).
- ``solicitation_holdout_round13_{a,b}.jsonl`` (576: two writers apart, each told the other
  exists; committed ecddf84, 8a87466 before round 12's errors were read; 15 texts equal a
  training text). On ab91f33: EN P 0.966 R 0.979 (TP 141 FP 5 FN 3), RU P 0.978 R 0.944 (TP 136
  FP 3 FN 8); patterns alone EN P 0.921 R 0.972, RU P 0.894 R 0.938. On 5495967, measured once:
  **EN P 0.959 R 0.979 (TP 141 FP 6 FN 3), RU P 0.986 R 0.958 (TP 138 FP 2 FN 6)**; as the
  product reads them RU P 0.993 (EN unchanged). By writer: (a) EN P 0.960 R 1.000, RU P 1.000
  R 0.958; (b) EN P 0.958 R 0.958, RU P 0.972 R 0.958. Not met. Wrongly flagged: a store policy
  "no deals outside this site", a phone case "with WhatsApp logo", "cancel the order before
  shipping", a candle scent "Close to you", a question whether closing the return request
  cancels the refund, "Shop is closed on Sundays", stickers with social-network icons, a mug
  printed «Закрой спор». Missed: "pp refund ok?", "$10 to drop it?", "на карту норм? номер?", a
  bank transfer "no need to wait for the platform" and "не могли бы вы убрать спор?" in a long
  friendly message (both matched by a pattern and overruled by the veto: the classifier scored
  them 0.02 and 0.14), "Откажитесь, пожалуйста, от спора", "уладим это вдвоём, не впутывая
  поддержку", a 2,400 ₽ transfer "по номеру телефона, подскажите банк", a Telegram channel link
  "там возвраты и скидки для своих". Spent.
- Round 14 trained on round 13's sets too: 8,781 messages, threshold 0.75, veto 0.26.
- ``solicitation_holdout_round14_{a,b}.jsonl`` (576: two writers apart; committed a821e6c,
  e1228fb before round 13's errors were read; 16 texts equal a training text). Measured once
  on what ships: **EN P 0.959 R 0.986 (TP 142 FP 6 FN 2), RU P 0.966 R 0.972 (TP 140 FP 5 FN
  4)**; as the product reads them EN P 0.966, RU P 0.972; patterns alone EN P 0.904 R 0.917, RU
  P 0.862 R 0.910. By writer: (a) EN P 0.934 R 0.986, RU P 0.959 R 0.986; (b) EN P 0.986
  R 0.986 (met), RU P 0.972 R 0.958. Not met. Wrongly flagged: instructions with "remove" and
  "close" about a wheel, a valve, a brake bleeder ("закройте его до упора"); "please don't send me
  your bank details here"; a dash cam app sending clips to WhatsApp; the buyer's other closed
  dispute; a return request in the personal account; "Ваш ватсап мне не нужен, давайте
  переписываться здесь" (the same kind as round 12's); "Between us, this is my favourite
  edition"; a warning that the marketplace never asks for money to a wallet; a buyer who closed
  a dispute by mistake. Missed: a wire "straight to your bank account, please send your IBAN",
  "Можете нажать «спор решён»?", "off the record, the arbitration will only waste your time",
  "откажитесь от него" (the dispute named in the sentence before), ЕРИП as a payment route,
  "отмена = возврат" (again, as in round 12). Spent.
- Round 15 trained on round 14's sets and 1,963 more messages from four writers
  (``solicitation_training_round15_*``, of round 14's error kinds; 37 lines in which a *buyer*
  asks to go off the platform, labelled innocent because a buyer says them, were left out: the
  classifier reads the text only): 11,320 messages, threshold 0.74, veto 0.23; and the Russian
  close reads "откажитесь, пожалуйста, от …" and "откажитесь от него" (232992a).
- ``solicitation_holdout_round15_{a,b}.jsonl`` (576: two writers apart, (b) told to write as a
  red team, hunting for what a detector gets wrong both ways; committed c5afd00, f4206ff before
  round 14's errors were trained on). On 53017aa (round 14's detector): EN P 0.985 R 0.931, RU
  P 0.969 R 0.882. Measured once on 232992a: **EN P 0.985 R 0.924 (TP 133 FP 2 FN 11), RU P
  0.977 R 0.889 (TP 128 FP 3 FN 16)**; as the product reads them RU P 0.985; patterns alone EN P
  0.899 R 0.868, RU P 0.865 R 0.847. By writer: (a) EN P 1.000 R 0.986, RU P 1.000 R 0.958; (b)
  EN P 0.969 R 0.861, RU P 0.952 R 0.819. Not met: the red team's asks got through. Missed: the
  dispute closed by a button or a confirmation ("press the button saying your issue has been
  resolved", "click 'satisfied with the outcome'", "нажмите в споре кнопку «вопрос решён»",
  "подтвердите в заявке что претензий к магазину не имеете"), support kept out ("Поддержку не
  подключайте", "не будем доводить до поддержки"), the dispute gone as a condition ("as soon as
  the claim is off my page", "no longer open", "после того как дело исчезнет", "если сегодня
  закончим с этим делом"), "Refund equals closed case", "Отмена = возврат", "Нет спора — есть
  замена", "pp f&f, ok?", "Pay via P@yPal", "заплатить мне напрямую", "Найдите меня ВКонтакте"
  and "once you tell the site it's sorted" (both matched, overruled by the veto), "Карта или Сбер
  по номеру?", a red banner on the order page "you know the one I mean", and two asks buried in
  long friendly messages. Wrongly flagged: two warnings quoting the asks they warn of ("'just
  between us'", "«давай между нами, без сайта»"), a fake shop offering «возврат напрямую», a
  buyer asking whether a dispute can be cancelled by accident. Spent.
- Round 16 trained on round 15's sets too (11,896 messages, threshold 0.73, veto 0.23, full
  cross-validation) and changed twelve patterns for round 15's miss kinds (migration 0028: the
  dispute closed by a button or a confirmation, support kept out, the dispute gone as a
  condition, the whole sum as the benefit, paying "напрямую", an imperative "Pay via PayPal";
  a warning about "кто-то" who asks).
- ``solicitation_holdout_round16_{a,b}.jsonl`` (576: two writers apart, (b) as a red team;
  committed 262d43d, c4dba86 before round 15's errors were read). On 232992a (round 15's
  detector): EN P 0.993 R 0.924, RU P 1.000 R 0.951. Measured once on round 16's detector:
  **EN P 0.993 R 0.944 (TP 136 FP 1 FN 8), RU P 1.000 R 0.958 (TP 138 FP 0 FN 6)**; patterns
  alone EN P 0.893 R 0.868, RU P 0.884 R 0.847. By writer: (a) EN P 0.986 R 0.958, RU P 1.000
  R 0.972; (b) EN P 1.000 R 0.931, RU P 1.000 R 0.944. Precision met in both languages, recall
  not. Two of its asks were seen (in a pattern diff over every set, before the measurement,
  after the patterns were decided): both already caught by those changes. Missed: three asks a
  pattern matched and the veto overruled ("Let's talk in Viber, here the messages get checked"
  0.18, "мой в а т с а п в описании магазина" 0.08, "tell support the matter is settled" in a
  long friendly message 0.20), "confirm to the platform that you have no more complaints",
  "press the button that (says the issue is resolved | you got the goods and are satisfied)"
  (more than six words between the verb and the outcome), "leave the site's referees out",
  "Refund = closed case", "Отмена = возврат" (a third time), "first the dispute has to be
  removed", "когда вопрос с арбитражем отпадёт", "как только претензия перестанет висеть",
  "открытое разбирательство … если заберёте его сегодня", "на почту лучше". Wrongly flagged: a
  Viber plush toy. Spent.
- Round 17 trained on round 16's sets too (12,472 messages) with the veto's recall budget halved
  (``VETO_RECALL_COST`` 0.005: rounds 13-16 each lost two or three asks to the veto): threshold
  0.68, veto 0.14, full cross-validation; and patterns for round 16's miss kinds (migration
  0028 again: a longer way to the button, "no more complaints", "разбирательство", "вопрос с
  арбитражем", "отпадёт", "перестанет висеть").
- ``solicitation_holdout_round17_{a,b}.jsonl`` (576: two writers apart, (b) as a red team;
  committed 7dd3f7e, 0f30a52 before round 16's errors were read). Measured once on what ships:
  **EN P 0.965 R 0.951 (TP 137 FP 5 FN 7), RU P 0.950 R 0.917 (TP 132 FP 7 FN 12)**; as the
  product reads them EN P 0.972, RU P 0.957; patterns alone EN P 0.891 R 0.854, RU P 0.861
  R 0.819. By writer: (a) EN P 0.986 R 0.986 (met), RU P 0.959 R 0.972; (b) EN P 0.943 R 0.917,
  RU P 0.939 R 0.861. Not met; precision fell back (the lower threshold and veto flag more).
  Wrongly flagged: goods with messenger or payment logos (sticker packs, a "Cash App" mug, a
  "Crypto Wallet" wallet), "withdraw the antenna", two warnings quoting the asks, a buyer's
  question whether withdrawing cancels the refund, cancelling an order before shipping. Missed:
  asks buried in long friendly messages (six), "red banner … you know which button" (again),
  "the moment my store shows no open claims", "Отзыв = возврат", "Возврат после отмены. Ок?",
  "На карту ок?", "Не надо впутывать площадку", "остановите процесс со своей стороны", "tell
  them everything is fine now". Spent.
- Round 18 trained on round 17's sets too (13,048 messages, threshold 0.66, veto 0.14, full
  cross-validation) and changed six patterns and added one for round 17's errors (migration
  0029: the dispute by allusion — a red banner, "which button"; no open disputes as a condition;
  "keep the platform out of it", "let's not bother support", "не надо впутывать площадку";
  "остановите процесс со своей стороны"; "Возврат после отмены. Ок?", "На карту ок?"; equations,
  with "=" now a word of its own after normalisation; warnings about fakes; and the exempt
  ``channel-as-decoration``: a channel's name or logo on goods). The prefilter now reads a
  pattern's exact strings as RE2 does (regex time per message 118 -> 58 µs, same flags).
- ``solicitation_holdout_round18_{a,b}.jsonl`` (576: two writers apart, (b) as a red team;
  committed 71bbc09, 57514be before round 17's errors were acted on). On b2c3ead (round 17's
  detector): EN P 0.949 R 0.910, RU P 0.964 R 0.924 (patterns alone EN P 0.930 R 0.736, RU
  P 0.898 R 0.736). Measured once on round 18's detector: **EN P 0.957 R 0.924 (TP 133 FP 6
  FN 11), RU P 0.964 R 0.917 (TP 132 FP 5 FN 12)**; as the product reads them EN P 0.971, RU
  P 0.985; patterns alone EN P 0.973 R 0.757, RU P 0.922 R 0.736. By writer: (a) EN P 0.973
  R 0.986, RU P 0.971 R 0.931; (b) EN P 0.939 R 0.861, RU P 0.956 R 0.903. Not met. Writer (b)'s
  report named two of its kinds (an equation with "=", an arrow) before the measurement; of its
  six equation lines the landed detector caught five already, this one all six. Missed: asks by
  implication with no closing word ("the only thing in the way is that open case", "I think we
  both want this off the books", "Через площадку месяц, через меня пять минут. Выбор за вами",
  "Сколько вы хотите, чтобы этого спора не было?"), follow-ups to an earlier deal ("as we
  agreed, as soon as it's withdrawn", "Жду, когда вы отзовёте"), "Ну чё ты, закрывай давай",
  "Если не отзовёте претензию, мы ничем помочь не сможем", card-to-card and "в личке, а не
  через поддержку". Wrongly flagged: buyers reporting a seller's ask (three; the product never
  checks buyers), a warning in a question ("Вам писали «от нас» в телеге?"), "снял наличные",
  the platform refunding "напрямую от неё", an unconditional review request, order talk. Spent.
- Speed after round 18 (the RE2-style prefilter, the doubled-letter step matched from a word's
  start, the classifier reading the words once), four runs alternating with the round-17
  detector (b2c3ead) on one machine at load 0.8-1: 4,952, 5,373, 5,601 and 5,471 messages per
  CPU-second with the classifier (patterns alone 7,782, 7,954, 8,178, 8,007); the round-17
  detector 4,036, 3,955, 4,106, 3,905 (5,956, 5,757, 6,047, 5,592). The regex time per message
  fell from 118 to 57 µs; normalisation is now the largest single cost (~35 µs), then the
  matching (~50 µs) and the classifier (~20 µs).
- Round 19 trained on round 18's sets and 1,600 messages written for training by four writers of
  round 18's error kinds (15,224 messages, threshold 0.75, veto 0.16; the cross-validation's
  fits now run in a process per CPU: 21 minutes on two cores) and widened three patterns and
  the refund-directly reading for round 18's errors (migration 0030).
  ``solicitation_holdout_round19_{a,b}.jsonl`` (576: two writers apart, (b) as a red team;
  committed a848ec8, 5a2afb0 before round 18's errors were acted on). On d070655 (round 18's
  detector): EN P 0.931 R 0.931, RU P 0.918 R 0.938. Measured once on round 19's detector
  (a6ae4c7): **EN P 0.931 R 0.931 (TP 134 FP 10 FN 10), RU P 0.926 R 0.951 (TP 137 FP 11
  FN 7)**; as the product reads them EN P 0.964, RU P 0.965; patterns alone EN P 0.910 R 0.847,
  RU P 0.871 R 0.840. By writer: (a) EN P 0.959 R 0.986, RU P 0.958 R 0.958; (b) EN P 0.900
  R 0.875, RU P 0.895 R 0.944. Not met. Missed: the dispute edited instead of closed ("edit ur
  claim to say 'received, all good'", "Измените сумму возврата в споре на 0"), the button or
  banner by allusion, threats ("Close it or I report you", "внесу вас в чёрный список"), a plea
  ("Would it hurt you to close this?"), "now close please", an ask a refusal swallowed
  ("Отзовите претензию, иначе больше ничего отправлять не буду"), a QR code in Alipay. Wrongly
  flagged: buyers quoting asks to the arbiter (ten of 21; the product never checks buyers),
  sellers listing messengers they don't use, warnings about fake channels, a seller telling the
  buyer not to cancel yet or thanking for a closed dispute. Spent.
- Round 20 trained on round 19's sets and 1,600 messages of round 19's error kinds (17,400
  messages, threshold 0.78, veto 0.17) and changed eight patterns for round 19's errors
  (migration 0031; a refusal no longer reaches across "иначе", the buyer's own decision told back
  is exempt). ``solicitation_holdout_round20_{a,b}.jsonl`` (576: two writers apart, (b) as a red
  team; committed 8ea1408, 39be10c before round 19's errors were acted on). On a6ae4c7 (round
  19's detector): EN P 0.944 R 0.938, RU P 0.926 R 0.958. Measured once on round 20's detector
  (c02cf09): **EN P 0.964 R 0.938 (TP 135 FP 5 FN 9), RU P 0.939 R 0.958 (TP 138 FP 9 FN 6)**;
  as the product reads them EN P 0.985, RU P 0.979; patterns alone EN P 0.871 R 0.847, RU
  P 0.891 R 0.854. By writer: (a) EN P 0.973 R 0.986, RU P 0.947 R 1.000; (b) EN P 0.955
  R 0.889, RU P 0.930 R 0.917. Not met. Missed: a messenger by euphemism ("the green app"),
  threats of reviews or the police, odd word order ("The dispute — closing it you are, yes?"),
  a card photo, receipt confirmed "so it closes", "one more chance", a speed argument, cash in
  person, a refund by phone number. Wrongly flagged: mostly buyers (reports, process questions,
  cancelling the order; the product never checks buyers), advice to close only after the
  refund, who may close a dispute, "ya ne mogu dat' telegram". Spent.
- Round 21 trained on round 20's sets and 1,599 messages of round 20's error kinds (19,575
  messages, threshold 0.77, veto 0.17; 34 minutes on two cores) and changed five patterns for
  round 20's errors (migration 0032). ``solicitation_holdout_round21_{a,b}.jsonl`` (576: two
  writers apart, (b) as a red team; committed 5246a93, 8afa2ff before round 20's errors were
  acted on; one of their lines equalled a line of a round-21 training set, which was left out of
  training). On c02cf09 (round 20's detector): EN P 0.956 R 0.903, RU P 0.964 R 0.938. Measured
  once on round 21's detector (0367556): **EN P 0.944 R 0.938 (TP 135 FP 8 FN 9), RU P 0.952
  R 0.958 (TP 138 FP 7 FN 6)**; as the product reads them EN P 0.964, RU P 0.979; patterns
  alone EN P 0.922 R 0.819, RU P 0.914 R 0.812. By writer: (a) EN P 0.945 R 0.958, RU P 0.947
  R 0.986; (b) EN P 0.943 R 0.917, RU P 0.957 R 0.931. Not met. Missed: a refund *request*
  asked to be cancelled, ultimatums with a deadline, the money only once the status says closed,
  SWIFT details, "Vv h a t s app", follow-ups to an e-mail or a deal made elsewhere. Wrongly
  flagged: a seller disowning or refusing a messenger (the window veto kept "My Telegram?"),
  hypothetical warnings, buyers. Spent.
- Round 22 trained on round 21's sets and 1,600 messages of round 21's error kinds (21,751
  messages; threshold 0.76, veto 0.20), changed patterns for round 21's errors (migration 0033:
  25 patterns' texts, as the changed messenger names and dispute nouns are shared fragments) and
  added the *name veto*: a flag of a channel merely named (``NAMED_CHANNELS``: the
  messenger and e-wallet patterns) is overruled on the whole message's score, below its own
  threshold (0.18, chosen by cross-validation at a recall cost of 0.25 %), unless the words
  around the name score at the flagging threshold on their own (so that an ask padded with small
  talk keeps its flag; the first version, on the whole message alone, failed that test). Tried first with one
  model fitted without rounds 19-21's held-out sets and scored on them: the name veto at 0.15
  raised precision EN 0.969 -> 0.981, RU 0.962 -> 0.970 at no recall; scoring the classifier
  per sentence, word skip-pairs and word trigrams did not help (within 0.01, precision lost for
  recall). ``solicitation_holdout_round22_{a,b}.jsonl`` (576: two writers apart, (b) as a red
  team; committed eb3d38f, 38991d1 before round 21's errors were read). On 000addc (round 21's
  detector): EN P 0.945 R 0.951, RU P 0.938 R 0.944. Measured once on round 22's detector:
  **EN P 0.958 R 0.951 (TP 137 FP 6 FN 7), RU P 0.939 R 0.958 (TP 138 FP 9 FN 6)**; as the
  product reads them EN P 0.986, RU P 0.986; patterns alone EN P 0.935 R 0.806, RU P 0.921
  R 0.806. By writer: (a) EN P 0.973 R 1.000, RU P 0.960 R 1.000; (b) EN P 0.942 R 0.903, RU
  P 0.917 R 0.917. Not met. Missed (all the red team's): asks by allusion to an earlier deal
  ("the thing we discussed"), a handle or number left in the parcel or a product photo, a fake
  "policy" bonus for closing, cash hidden in a parcel, a threat with a long gap before the
  blacklist. Wrongly flagged: eleven of fifteen are buyers (quotes, questions, reports), which the
  product never checks; a greeting and a store's opening hours scored by the classifier.
- Round 23 trained on round 22's sets and 1,600 messages of round 22's error kinds (23,927
  messages; threshold 0.75, veto 0.24, name veto 0.19, full cross-validation, 67 minutes on two
  cores) and changed patterns for round 22's errors (migration 0035: a threat far from the ask, a
  zero refund to accept, a made-up rule that rewards closing, a contact left in the parcel or a
  product photo, cash in a parcel, money "on the side"; a refusal not across "сюда").
  ``solicitation_holdout_round23_{a,b}.jsonl`` (576: two writers apart, (b) as a red team;
  committed 987a81c, c2f890c before round 22's errors were acted on). On round 22's detector
  (c2f890c): EN P 0.971 R 0.924, RU P 0.957 R 0.931. Measured once on round 23's detector
  (5a5375d): **EN P 0.964 R 0.938 (TP 135 FP 5 FN 9), RU P 0.964 R 0.931 (TP 134 FP 5 FN 10)**;
  as the product reads them EN P 0.993, RU P 0.985; patterns alone EN P 0.944 R 0.701, RU P 0.889
  R 0.722. By writer: (a) EN P 0.959 R 0.972, RU P 0.971 R 0.931; (b) EN P 0.970 R 0.903, RU
  P 0.957 R 0.931. Not met. Missed: receipt confirmed or buyer protection ended as the way to end
  the case, a zero refund with the sign first, the claim edited to say the item is fine, hurried
  bare closes ("Закрывайте, нам комиссию платить"), cash in hand, a "surprise" once the dispute is
  gone. Wrongly flagged: closing asked about and refused ("Закрыть спор? Нет-нет"), a hacked
  channel warned about, a store coupon, buyers. Spent.
- Round 24 trained on round 23's sets and 1,600 messages of round 23's error kinds (26,103
  messages), keeping round 23's cross-validated thresholds (``--threshold 0.75 --veto 0.24
  --name-veto 0.19``: two minutes instead of an hour), and changed patterns for round 23's errors
  (migration 0036). ``solicitation_holdout_round24_{a,b}.jsonl`` (576: two writers apart, (b) as a
  red team; committed 4369a94, 3ecdb28 before round 23's errors were read). On round 22's
  detector (c2f890c): EN P 0.957 R 0.924, RU P 0.972 R 0.965. Measured once on round 24's
  detector (3f02ff1): **EN P 0.971 R 0.938 (TP 135 FP 4 FN 9), RU P 0.993 R 0.958 (TP 138 FP 1
  FN 6)**; as the product reads them EN P 0.985, RU P 1.000; patterns alone EN P 0.940 R 0.764,
  RU P 0.940 R 0.764. By writer: (a) EN P 1.000 R 0.958, RU P 0.986 R 0.958; (b) EN P 0.943
  R 0.917, RU P 1.000 R 0.958. Not met: precision at target in Russian and as the product reads
  English, recall not. Missed: the refund amount set to 0 or a "no refund" solution accepted for
  goods ("modify the refund amount to 0"), "confirm received, your money I return separately",
  a handle as a link ("t.me/…") or on "the picture app" because "the chat is monitored", an
  e-mail spelled with "мэйл", "the only condition is you don't continue with the dispute", a
  veiled threat with the buyer's address. Wrongly flagged: "we will not ask you to remove it", a
  free gift card, buyers. Spent.
- Round 25 trained on round 24's sets and 1,600 messages of round 24's error kinds (28,279
  messages) with **thresholds re-chosen by full cross-validation** (82 training sets left out in
  turn, about 100 minutes on two cores): threshold 0.80 (was 0.75), veto 0.25 (0.24), name veto
  0.19 (0.19); and changed patterns for round 24's errors (migration 0037: the refund amount set
  to zero or a "no refund" solution accepted, the refund request cancelled, "the only condition
  is…", the claim to be reconsidered, a status chosen in the app, receipt confirmed for money
  "separately", a handle with an ask to find it, "мэйл"; a refusal not across "тут"/"здесь").
  ``solicitation_holdout_round25_{a,b}.jsonl`` (576: two writers apart, (b) as a red team;
  committed 4e6272e, bd8ba16 before round 24's errors were acted on). On round 24's detector
  (53478cb): EN P 0.934 R 0.785, RU P 0.927 R 0.799. Measured once on round 25's detector:
  **EN P 0.931 R 0.840 (TP 121 FP 9 FN 23), RU P 0.915 R 0.826 (TP 119 FP 11 FN 25)**; as the
  product reads them EN P 1.000, RU P 0.983; patterns alone EN P 0.894 R 0.701, RU P 0.869
  R 0.646. By writer: (a) EN P 0.955 R 0.875, RU P 0.941 R 0.889; (b) EN P 0.906 R 0.806, RU
  P 0.887 R 0.764. Not met, and the hardest set yet (the writers' brief named "let the
  protection run out" among the close-equivalents, and both wrote many): missed are the
  protection left to expire or not extended, the platform's question left unanswered or
  answered "yes, solved", receipt confirmed or the goods "accepted in the app" with no benefit
  word, the refund given up or not asked for, the claim's reason changed or its photos deleted,
  a QR code on the thank-you card, guilt stories. Wrongly flagged: 18 of 20 are buyers (asking
  for a messenger or PayPal themselves, quoting the seller), which the product never checks; a
  refund explained as going back "на тот же счёт", a shop quoting a fake account's ask. Spent.
- Round 26 trained on round 25's sets and 1,600 messages of round 25's error kinds, **without
  the lines buyers write** (the product never scores a buyer's message, and buyers' own asks,
  labelled innocent for that reason, taught the classifier to overrule a seller's same words):
  26,461 messages, round 25's thresholds kept (0.80, veto 0.25, name veto 0.19). Its patterns
  (migration 0038) add the case ended without naming its closing (``ending.py``: the protection
  left to run out, the platform left unanswered or answered for the seller, receipt confirmed
  while the parcel travels, the refund given up, the claim rewritten, guilt and threats, a QR
  code, cash by courier) as two patterns the classifier never overrules (``NEVER_OVERRULED``).
  ``solicitation_holdout_round26_{a,b}.jsonl`` (576: two writers apart, (b) as a red team;
  committed 1b2c12c, cc27518 before round 25's errors were acted on; 3 and 1 of their texts
  equal a training text, case aside, all short lines). On round 25's detector
  (58efbfa): EN P 0.930 R 0.917, RU P 0.942 R 0.903 (as the product reads them EN P 0.985, RU
  P 0.985). Measured once on round 26's detector (a354d7a): **EN P 0.917 R 0.924 (TP 133 FP 12
  FN 11), RU P 0.950 R 0.931 (TP 134 FP 7 FN 10)**; as the product reads them EN P 0.978, RU
  P 0.993; patterns alone EN P 0.916 R 0.757, RU P 0.902 R 0.771. By writer: (a) EN P 0.932
  R 0.944, RU P 0.957 R 0.931; (b) EN P 0.903 R 0.903, RU P 0.944 R 0.931. Not met: recall
  gained one ask in English and four in Russian. Missed: receipt confirmed because "the system
  will close the case automatically", a zero offer chosen ("agree on our proposal of 0.00 USD"),
  a deadline to cancel, "withdraw before it goes to arbitration", a surprise if nothing happens
  until the protection ends, a code that activates "once your case is gone", money "not here,
  tell me which bank", "the case can be closed by buyer only. So… 🙏", "откажитесь, пожалуйста,
  от возврата" (a politeness word inside the verb), a threat of a fraud complaint, a misspelt
  "отменити", "на киви сразу 1000 отправлю" after "Товар получен", "пока спор висит, трек не
  активируется". Wrongly flagged: sellers adding compensation to the dispute offer, "my
  WhatsApp is private, I only talk here", refusing Western Union, warning that some buyers ask
  for PayPal; the rest buyers. Spent.
- Speed after round 26, every labelled message (30,911), this detector and round 25's (58efbfa)
  alternating on the same messages at load 0.6-1.9: 4,506 and 4,831 messages per CPU-second
  against 4,224 and 4,571 (patterns alone 7,104 and 7,266 against 7,468 and 7,319). Round 26
  costs nothing measurable with the classifier (its model is smaller without buyers' lines);
  this bench's own run 4,301 (patterns alone 5,859) at load 1.9. The 5,000 target is not met on
  this machine.
- Speed after round 25, every labelled message but round 26's unread sets (28,855), this
  detector and round 24's (53478cb) alternating on the same messages at load 0.9-1: 3,795,
  4,176, 4,228 and 4,502 messages per CPU-second against 4,029, 4,228, 4,137 and 4,365 (patterns
  alone 6,939-7,211 against 6,046-6,911); this bench's own run 3,273 (patterns alone 5,689).
  Round 25 costs nothing measurable; the 5,000 target is not met on this machine.
- Speed after round 24 on 2026-12-07's (slower) machine, every labelled message (26,679), this
  detector and round 22's (4b1caf1) alternating on the same messages at load 1: 3,830, 4,296,
  3,072 and 3,870 messages per CPU-second against 3,649, 3,452, 3,851 and 3,698 (patterns alone
  6,612, 6,606, 4,967, 6,264 against 5,081, 6,147, 5,481, 5,228); this bench's own run 4,351
  (patterns alone 6,068). Rounds 23-24 cost nothing measurable; on this machine neither detector
  reaches the 5,000 target (round 22's detector measured 4,942-5,060 on the previous machine).
- Speed after round 21, every labelled message (20,151) timed on one machine at load 1, this
  detector and round 18's (d070655) on the same messages: 5,024 and 5,125 messages per
  CPU-second with the classifier (patterns alone 7,461 and 7,736); this bench's own run the same
  hour: 4,638 (patterns alone 7,230). The patterns of rounds 19-21 cost about 2-4 %.
- What did not help, leave one round out (rounds 4-13, every training set, the full detector):
  less L2 (1e-6), negation-scope features ("n:" + the words after "not"/"не"), word trigrams:
  each within 0.002 of the plain model. Overruling only the off-platform patterns' flags (not
  the close or benefit ones) lost precision: of the flags the veto drops at 0.24, 11 of 12 of the
  close pattern's were innocent.

``--verbose`` also prints the normalised text and the flags of the errors. Targets: precision
and recall >= 0.98 in each language, >= 5,000 messages/s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "arbitration" / "data"
SETS = {
    "corpus": DATA / "solicitation_corpus.jsonl",
    "holdout": DATA / "solicitation_holdout.jsonl",
    "held-out (issue 17)": DATA / "solicitation_holdout_evasion.jsonl",
    "check after tuning": DATA / "solicitation_check_after_tuning.jsonl",
    "held-out round 2": DATA / "solicitation_holdout_round2.jsonl",
    "check round 2": DATA / "solicitation_check_round2.jsonl",
    "held-out round 3": DATA / "solicitation_holdout_round3.jsonl",
    "check round 3": DATA / "solicitation_check_round3.jsonl",
    "held-out round 4": DATA / "solicitation_holdout_round4.jsonl",
    "held-out round 5": DATA / "solicitation_holdout_round5.jsonl",
    "held-out round 6": DATA / "solicitation_holdout_round6.jsonl",
    "held-out round 7": DATA / "solicitation_holdout_round7.jsonl",
    "held-out round 8": DATA / "solicitation_holdout_round8.jsonl",
    "held-out round 9": DATA / "solicitation_holdout_round9.jsonl",
    "training round 10 (en)": DATA / "solicitation_training_round10_en.jsonl",
    "training round 10 (ru)": DATA / "solicitation_training_round10_ru.jsonl",
    "held-out round 10": DATA / "solicitation_holdout_round10.jsonl",
    "held-out round 11": DATA / "solicitation_holdout_round11.jsonl",
    "training round 12 (en)": DATA / "solicitation_training_round12_en.jsonl",
    "training round 12 (ru)": DATA / "solicitation_training_round12_ru.jsonl",
    "held-out round 12": DATA / "solicitation_holdout_round12.jsonl",
    **{
        f"training round 13 ({name.replace('_', ', ')})": DATA / f"solicitation_training_round13_{name}.jsonl"
        for name in ("en_a", "en_b", "ru_a", "ru_b")
    },
    "held-out round 13 (a)": DATA / "solicitation_holdout_round13_a.jsonl",
    "held-out round 13 (b)": DATA / "solicitation_holdout_round13_b.jsonl",
    "held-out round 14 (a)": DATA / "solicitation_holdout_round14_a.jsonl",
    "held-out round 14 (b)": DATA / "solicitation_holdout_round14_b.jsonl",
    **{
        f"training round 15 ({name.replace('_', ', ')})": DATA / f"solicitation_training_round15_{name}.jsonl"
        for name in ("en_a", "en_b", "ru_a", "ru_b")
    },
    "held-out round 15 (a)": DATA / "solicitation_holdout_round15_a.jsonl",
    "held-out round 15 (b)": DATA / "solicitation_holdout_round15_b.jsonl",
    "held-out round 16 (a)": DATA / "solicitation_holdout_round16_a.jsonl",
    "held-out round 16 (b)": DATA / "solicitation_holdout_round16_b.jsonl",
    "held-out round 17 (a)": DATA / "solicitation_holdout_round17_a.jsonl",
    "held-out round 17 (b)": DATA / "solicitation_holdout_round17_b.jsonl",
    "held-out round 18 (a)": DATA / "solicitation_holdout_round18_a.jsonl",
    "held-out round 18 (b)": DATA / "solicitation_holdout_round18_b.jsonl",
    **{
        f"training round 19 ({name.replace('_', ', ')})": DATA / f"solicitation_training_round19_{name}.jsonl"
        for name in ("en_a", "en_b", "ru_a", "ru_b")
    },
    "held-out round 19 (a)": DATA / "solicitation_holdout_round19_a.jsonl",
    "held-out round 19 (b)": DATA / "solicitation_holdout_round19_b.jsonl",
    **{
        f"training round 20 ({name.replace('_', ', ')})": DATA / f"solicitation_training_round20_{name}.jsonl"
        for name in ("en_a", "en_b", "ru_a", "ru_b")
    },
    "held-out round 20 (a)": DATA / "solicitation_holdout_round20_a.jsonl",
    "held-out round 20 (b)": DATA / "solicitation_holdout_round20_b.jsonl",
    **{
        f"training round 21 ({name.replace('_', ', ')})": DATA / f"solicitation_training_round21_{name}.jsonl"
        for name in ("en_a", "en_b", "ru_a", "ru_b")
    },
    "held-out round 21 (a)": DATA / "solicitation_holdout_round21_a.jsonl",
    "held-out round 21 (b)": DATA / "solicitation_holdout_round21_b.jsonl",
    **{
        f"training round 22 ({name.replace('_', ', ')})": DATA / f"solicitation_training_round22_{name}.jsonl"
        for name in ("en_a", "en_b", "ru_a", "ru_b")
    },
    "held-out round 22 (a)": DATA / "solicitation_holdout_round22_a.jsonl",
    "held-out round 22 (b)": DATA / "solicitation_holdout_round22_b.jsonl",
    **{
        f"training round 23 ({name.replace('_', ', ')})": DATA / f"solicitation_training_round23_{name}.jsonl"
        for name in ("en_a", "en_b", "ru_a", "ru_b")
    },
    "held-out round 23 (a)": DATA / "solicitation_holdout_round23_a.jsonl",
    "held-out round 23 (b)": DATA / "solicitation_holdout_round23_b.jsonl",
    **{
        f"training round 24 ({name.replace('_', ', ')})": DATA / f"solicitation_training_round24_{name}.jsonl"
        for name in ("en_a", "en_b", "ru_a", "ru_b")
    },
    "held-out round 24 (a)": DATA / "solicitation_holdout_round24_a.jsonl",
    "held-out round 24 (b)": DATA / "solicitation_holdout_round24_b.jsonl",
    **{
        f"training round 25 ({name.replace('_', ', ')})": DATA / f"solicitation_training_round25_{name}.jsonl"
        for name in ("en_a", "en_b", "ru_a", "ru_b")
    },
    "held-out round 25 (a)": DATA / "solicitation_holdout_round25_a.jsonl",
    "held-out round 25 (b)": DATA / "solicitation_holdout_round25_b.jsonl",
    **{
        f"training round 26 ({name.replace('_', ', ')})": DATA / f"solicitation_training_round26_{name}.jsonl"
        for name in ("en_a", "en_b", "ru_a", "ru_b")
    },
    "held-out round 26 (a)": DATA / "solicitation_holdout_round26_a.jsonl",
    "held-out round 26 (b)": DATA / "solicitation_holdout_round26_b.jsonl",
}
TARGET_SCORE = 0.98
TARGET_SPEED = 5000


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    true_negatives: int = 0
    false_negatives: int = 0
    errors: list[tuple[str, dict, list[dict]]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        solicitations = self.true_positives + self.false_negatives
        return self.true_positives / solicitations if solicitations else 1.0


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def score(
    messages: list[dict], patterns: list[dict], *, classifier: bool = True, as_product: bool = False
) -> Score:
    """``as_product``: as the product checks a dispute's messages, where only a seller's are
    read (``services.messages``): a message whose ``speaker`` is the buyer is never flagged."""
    from arbitration.solicitation.matching import detect

    result = Score()
    for message in messages:
        unread = as_product and message.get("speaker") == "buyer"
        flags = [] if unread else detect(message["text"], patterns, classifier=classifier)
        flagged, solicit = bool(flags), message["solicit"]
        if flagged and solicit:
            result.true_positives += 1
        elif flagged:
            result.false_positives += 1
            result.errors.append(("false positive", message, flags))
        elif solicit:
            result.false_negatives += 1
            result.errors.append(("false negative", message, flags))
        else:
            result.true_negatives += 1
    return result


def speed(
    messages: list[dict], patterns: list[dict], seconds: float, *, classifier: bool = True
) -> tuple[float, float]:
    """Messages per second over wall-clock time and over this process's CPU time (other work
    on a shared machine slows the first, much less the second). The classifier's table of word
    sums is emptied before each pass, as in a server that has just started."""
    from arbitration.solicitation.classifier import default_classifier
    from arbitration.solicitation.matching import detect

    texts = [m["text"] for m in messages]
    detect(texts[0], patterns, classifier=classifier)  # compile and load once, as a server has
    done, wall, cpu = 0, time.perf_counter(), time.process_time()
    model = default_classifier()
    while time.perf_counter() - wall < seconds:
        if model is not None:
            model.forget_words()  # each pass as a server just started: no word seen before
        for text in texts:
            detect(text, patterns, classifier=classifier)
        done += len(texts)
    return done / (time.perf_counter() - wall), done / (time.process_time() - cpu)


def cross_validate() -> None:
    """The classifier's figures on the training sets, each set scored by a classifier trained on
    the others (leave one set out), alone at 0.5 and at the committed threshold, and combined
    with the patterns (optimistic: the patterns were tuned on these sets)."""
    from arbitration.solicitation import DEFAULT_PATTERNS, match_patterns
    from arbitration.solicitation.classifier import default_classifier
    from arbitration.solicitation.training import load_sets, out_of_set_scores, precision_recall

    model = default_classifier()
    threshold = model.threshold if model is not None else 0.5
    examples = load_sets()
    scores = out_of_set_scores(examples)
    patterns = [bool(match_patterns(e.text, DEFAULT_PATTERNS)) for e in examples]
    print(f"== cross-validated on the {len(examples)} training messages (leave one set out)")
    for lang in ("en", "ru"):
        rows = [i for i, e in enumerate(examples) if e.lang == lang]
        labels = [examples[i].solicit for i in rows]
        for what, flags in (
            ("classifier at 0.50", [scores[i] >= 0.5 for i in rows]),
            (f"classifier at {threshold:.2f}", [scores[i] >= threshold for i in rows]),
            ("patterns or classifier", [patterns[i] or scores[i] >= threshold for i in rows]),
        ):
            precision, recall = precision_recall(flags, labels)
            print(f"   {lang}: {what}: precision {precision:.3f}  recall {recall:.3f}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--cross-validate", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from arbitration.solicitation import DEFAULT_PATTERNS, text_variants
    from arbitration.solicitation.training import HELD_OUT, TRAINING_SETS

    trained_on = {m["text"].strip().lower() for name in TRAINING_SETS for m in load(DATA / name)}
    everything = []
    for name, path in SETS.items():
        messages = load(path)
        everything += messages
        print(f"== {name}: {len(messages)} messages, {sum(m['solicit'] for m in messages)} solicitations")
        if path.name in HELD_OUT:
            seen = [m for m in messages if m["text"].strip().lower() in trained_on]
            print(f"   never trained on; {len(seen)} of its texts equal a training text (case aside)")
        for lang in ("en", "ru"):
            only = score([m for m in messages if m["lang"] == lang], DEFAULT_PATTERNS, classifier=False)
            s = score([m for m in messages if m["lang"] == lang], DEFAULT_PATTERNS)
            ok = "ok" if min(s.precision, s.recall) >= TARGET_SCORE else "MISSED"
            counts = (
                f"TP {s.true_positives} FP {s.false_positives} TN {s.true_negatives} FN {s.false_negatives}"
            )
            scores = f"precision {s.precision:.3f}  recall {s.recall:.3f}  (target {TARGET_SCORE})"
            print(f"   {lang}: {scores}  {ok}   {counts}")
            print(f"       patterns alone: precision {only.precision:.3f}  recall {only.recall:.3f}")
            if any("speaker" in m for m in messages):
                product = score([m for m in messages if m["lang"] == lang], DEFAULT_PATTERNS, as_product=True)
                print(
                    f"       as the product reads them (buyers' messages never checked): precision "
                    f"{product.precision:.3f}  recall {product.recall:.3f}"
                )
            for kind, message, flags in s.errors:
                print(f"      {kind} [{message['lang']}, {message.get('kind', '-')}]: {message['text']}")
                if args.verbose:
                    print(f"         read as: {text_variants(message['text'])}")
                    print(f"         flags: {flags}")
    if args.cross_validate:
        cross_validate()
    wall, cpu = speed(everything, DEFAULT_PATTERNS, args.seconds)
    print(
        f"== speed: {wall:,.0f} messages/s wall-clock, {cpu:,.0f} messages/s of CPU time "
        f"(target {TARGET_SPEED:,}; {len(everything)} messages, {len(DEFAULT_PATTERNS)} patterns "
        f"and the classifier; load average {os.getloadavg()[0]:.2f})"
    )
    wall, cpu = speed(everything, DEFAULT_PATTERNS, args.seconds, classifier=False)
    print(f"   patterns alone: {wall:,.0f} messages/s wall-clock, {cpu:,.0f} messages/s of CPU time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
