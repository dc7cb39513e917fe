"""The candidate's statuses become the lifecycle's (``candidates.lifecycle``): ``interviewed``
is now ``interviewing``, and ``selected`` and ``withdrawn`` are new."""

from typing import Any

from django.db import migrations, models

# Going back, the new statuses fold into the nearest old one: between the interview and the
# decision is "interviewed"; a withdrawn candidate is out, like a rejected one.
FORWARD = {"interviewed": "interviewing"}
BACKWARD = {"interviewing": "interviewed", "selected": "interviewed", "withdrawn": "rejected"}


def _rename(mapping: dict[str, str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        Candidate = apps.get_model("candidates", "Candidate")
        for old, new in mapping.items():
            Candidate.objects.using(schema_editor.connection.alias).filter(status=old).update(
                status=new
            )

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0003_candidate_hr_language"),
    ]

    operations = [
        migrations.AlterField(
            model_name="candidate",
            name="status",
            field=models.CharField(
                choices=[
                    ("created", "created"),
                    ("scheduled", "scheduled"),
                    ("interviewing", "interviewing"),
                    ("selected", "selected"),
                    ("rejected", "rejected"),
                    ("hired", "hired"),
                    ("withdrawn", "withdrawn"),
                ],
                default="created",
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(_rename(FORWARD), _rename(BACKWARD)),
    ]
