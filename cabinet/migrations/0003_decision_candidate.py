"""Decisions on a candidate, with or without a live session, step one: ``candidate`` on
decisions and their audit entries, filled from the session's candidate for the rows there are
(0004 makes it required: in a migration of its own, as PostgreSQL will not alter a table with
the fill's deferred foreign-key checks still pending)."""

import django.db.models.deletion
from django.db import migrations, models


def fill_candidates(apps, schema_editor):  # noqa: ANN001, ANN201
    Decision = apps.get_model("cabinet", "Decision")
    DecisionAudit = apps.get_model("cabinet", "DecisionAudit")
    LiveSession = apps.get_model("sessions_live", "LiveSession")
    candidate_of = LiveSession.objects.filter(pk=models.OuterRef("session_id")).values(
        "candidate_id"
    )[:1]
    Decision.objects.update(candidate_id=models.Subquery(candidate_of))
    DecisionAudit.objects.update(candidate_id=models.Subquery(candidate_of))


class Migration(migrations.Migration):

    dependencies = [
        ("cabinet", "0002_hr_language_and_verbose_names"),
        ("candidates", "0006_resume_versions"),
        ("sessions_live", "0002_result_edit"),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="candidate",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="decisions",
                to="candidates.candidate",
                verbose_name="candidate",
            ),
        ),
        migrations.AddField(
            model_name="decisionaudit",
            name="candidate",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="candidates.candidate",
                verbose_name="candidate",
            ),
        ),
        migrations.RunPython(fill_candidates, migrations.RunPython.noop),
    ]
