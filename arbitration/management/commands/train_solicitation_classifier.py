"""``manage.py train_solicitation_classifier``: re-train the solicitation classifier (R-DSP-8).

Trains on the committed labelled sets (``arbitration.solicitation.training.TRAINING_SETS``),
chooses the threshold and the two veto thresholds by leaving one set out at a time (about 35 minutes
on two cores for ~20,000 messages: ``--jobs`` processes, one per CPU by default), and writes
``arbitration/solicitation/classifier_weights.json``. ``--check`` writes nothing and fails when
the file differs from what the data gives (CI, or after editing a set); ``--threshold`` with
``--veto`` and ``--name-veto`` skips the cross-validation and keeps the given thresholds.
"""

from django.core.management.base import BaseCommand, CommandError

from arbitration.solicitation.classifier import WEIGHTS_PATH
from arbitration.solicitation.training import dumps, load_sets, train


class Command(BaseCommand):
    help = "Re-train the solicitation classifier from the labelled sets and write its weights (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail if the committed weights differ.")
        parser.add_argument("--threshold", type=float, default=None, help="Keep this threshold.")
        parser.add_argument("--veto", type=float, default=None, help="Keep this veto threshold.")
        parser.add_argument("--name-veto", type=float, default=None, help="Keep this name veto threshold.")
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="Processes for cross-validation (default: one per CPU).",
        )

    def handle(self, *args, **options):
        examples = load_sets()
        model = train(
            examples,
            threshold=options["threshold"],
            veto=options["veto"],
            jobs=options["jobs"],
            name_veto=options["name_veto"],
        )
        text = dumps(model)
        if options["check"]:
            current = WEIGHTS_PATH.read_text(encoding="utf-8") if WEIGHTS_PATH.exists() else ""
            if current != text:
                raise CommandError(f"{WEIGHTS_PATH.name} differs from what the labelled sets give: re-train.")
            self.stdout.write("The committed classifier is what the labelled sets give.")
            return
        WEIGHTS_PATH.write_text(text, encoding="utf-8")
        self.stdout.write(
            f"Trained on {len(examples)} messages: {len(model.weights)} weights, "
            f"threshold {model.threshold:.2f}, veto threshold {model.veto:.2f}, name veto threshold "
            f"{model.name_veto:.2f}; wrote {WEIGHTS_PATH}."
        )
