"""Off-platform solicitation detection (R-DSP-8).

A seller message is flagged when it asks the buyer to close, cancel or withdraw the dispute,
offers something for closing it, or moves the conversation or the money off the platform. The
patterns live in the database (``SolicitationPattern``) so supervisors change them without a
deploy; ``DEFAULT_PATTERNS`` is the set the data migrations ship. A message no pattern flags
may still be flagged by a small trained classifier (round 4 of issue 17), and a shipped
pattern's flag on words the classifier scores as clearly innocent is overruled (round 10; never
a pattern staff wrote or edited). Every pattern is
matched on the normalised message and on its Russian transliteration (``normalize``), never on
raw text.
A flag is a warning beside the message and a signal to arbitration, never a block.

- ``normalize``: the one normalisation step (``normalize``, ``text_variants``).
- ``regex``: compiling patterns and ``validate_pattern``; imports no models.
- ``intents``, ``fragments``, ``patterns``: what counts, by intent, and the default set.
- ``matching``: ``match_patterns`` (patterns given), ``detect`` (the patterns, then the
  classifier for what no pattern flags) and ``flag_explanations`` for staff.
- ``classifier``: the trained classifier (weights in ``classifier_weights.json``): its flags
  carry their score and most weighted words; it also overrules shipped patterns below its veto
  threshold; ``training``: re-training it and choosing both thresholds from the labelled sets
  (``manage.py train_solicitation_classifier``).
- ``detector``: ``find_solicitation``, reading the active patterns from the database. It is
  imported from ``arbitration.solicitation.detector``, not from here: the model validates with
  this package, so this package must not import models.
"""

from arbitration.solicitation.intents import FLAGGING_INTENTS, Intent
from arbitration.solicitation.matching import flag_explanations, match_patterns
from arbitration.solicitation.normalize import normalize, normalize_pattern, text_variants, transliterate
from arbitration.solicitation.patterns import DEFAULT_PATTERNS
from arbitration.solicitation.regex import compile_pattern, validate_pattern

__all__ = [
    "DEFAULT_PATTERNS",
    "FLAGGING_INTENTS",
    "Intent",
    "compile_pattern",
    "flag_explanations",
    "match_patterns",
    "normalize",
    "normalize_pattern",
    "text_variants",
    "transliterate",
    "validate_pattern",
]
