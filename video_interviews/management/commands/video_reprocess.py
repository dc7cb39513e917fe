"""`manage.py video_reprocess <answer id>… [--stuck] [--now]`: process answers again — a FAILED
one once its cause is fixed (the storage back, a limit raised), or those stuck waiting."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from video_interviews import processing, tasks
from video_interviews.models import Answer


class Command(BaseCommand):
    help = (
        "Process one-way interview answers again (FAILED, or stuck UPLOADED / PROCESSING). "
        "Queues them for the VIDEO_QUEUE worker, or processes them here with --now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("answers", nargs="*", type=int, help="answer ids")
        parser.add_argument(
            "--stuck",
            action="store_true",
            help="also every answer UPLOADED over 10 minutes ago and not taken, or PROCESSING "
            "untouched for 30 minutes (its worker died)",
        )
        parser.add_argument(
            "--now",
            action="store_true",
            help="process here, one by one, instead of queuing (takes PROCESSING answers too)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ids = list(dict.fromkeys(options["answers"]))
        if options["stuck"]:
            ids += [pk for pk in processing.stuck_answers() if pk not in ids]
        if not ids:
            raise CommandError("name answer ids, or --stuck")
        statuses = dict(Answer.objects.filter(pk__in=ids).values_list("pk", "status"))
        for pk in ids:
            status = statuses.get(pk)
            if status is None or status in (Answer.Status.EMPTY, Answer.Status.UPLOADING):
                self.stderr.write(f"answer {pk}: {'no such answer' if status is None else status}")
                continue
            if status == Answer.Status.READY:
                self.stdout.write(f"answer {pk}: ready already, left alone")
                continue
            if not options["now"]:
                tasks.queue_processing(pk)
                self.stdout.write(f"answer {pk}: queued")
                continue
            try:
                processing.process_answer(pk, reclaim=True)
            except processing.StorageError as error:
                self.stderr.write(f"answer {pk}: storage failed: {error}")
            answer = Answer.objects.get(pk=pk)
            self.stdout.write(f"answer {pk}: {answer.status} {answer.error}".rstrip())
