"""Run one scheduled job by hand (R-JOB-3): ``manage.py run_job <name>``; no name lists them."""

from django.core.management.base import BaseCommand, CommandError

from marketplace.scheduling import all_jobs, run_job


class Command(BaseCommand):
    help = (
        "Run a scheduled job now and print what it did. Without a name, list the jobs. "
        "Safe while the scheduler runs the same job: each run claims different items."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="the job to run; leave out to list them")
        parser.add_argument(
            "--batch-size", type=int, default=None, help="rows per batch (default JOB_BATCH_SIZE)"
        )

    def handle(self, *args, name=None, batch_size=None, verbosity=1, **options):
        jobs = all_jobs()
        if not name:
            width = max(len(n) for n in jobs)
            self.stdout.write("Scheduled jobs (run one with: manage.py run_job <name>):")
            for job in jobs.values():
                self.stdout.write(f"  {job.name:<{width}}  {job.description}")
            return
        if name not in jobs:
            raise CommandError(f"Unknown job {name!r}. Run without a name to list the jobs.")
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        result = run_job(name, batch_size=batch_size)
        style = self.style.WARNING if (result.failed or result.stopped_reason) else self.style.SUCCESS
        self.stdout.write(style(result.summary()))
        if verbosity >= 2 and result.moved_ids:
            shown = ", ".join(f"#{pk}" for pk in result.moved_ids)
            more = result.moved - len(result.moved_ids)
            self.stdout.write(f"Moved: {shown}" + (f" and {more} more" if more > 0 else ""))
        if result.failed:
            raise CommandError(
                f"{result.failed} item(s) failed; see the log above. The next run retries them."
            )
