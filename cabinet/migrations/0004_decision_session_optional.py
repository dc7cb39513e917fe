"""Decisions on a candidate, with or without a live session, step two: ``candidate`` required,
``session`` optional, and at most one current decision per candidate among those without a
session (the per-session rule stays)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cabinet", "0003_decision_candidate"),
    ]

    operations = [
        migrations.AlterField(
            model_name="decision",
            name="candidate",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="decisions",
                to="candidates.candidate",
                verbose_name="candidate",
            ),
        ),
        migrations.AlterField(
            model_name="decisionaudit",
            name="candidate",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="candidates.candidate",
                verbose_name="candidate",
            ),
        ),
        migrations.AlterField(
            model_name="decision",
            name="session",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="decisions",
                to="sessions_live.livesession",
                verbose_name="session",
            ),
        ),
        migrations.AlterField(
            model_name="decisionaudit",
            name="session",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sessions_live.livesession",
                verbose_name="session",
            ),
        ),
        migrations.AddConstraint(
            model_name="decision",
            constraint=models.UniqueConstraint(
                condition=models.Q(("reopened_at__isnull", True), ("session__isnull", True)),
                fields=("candidate",),
                name="one_current_decision_per_candidate_without_session",
            ),
        ),
    ]
