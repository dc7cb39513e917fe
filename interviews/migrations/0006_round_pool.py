# Whom the scheduler may put on a round: a plan round's pool, copied into each interview's round.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("interviews", "0005_hold"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="planround",
            name="pool",
            field=models.ManyToManyField(blank=True, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="interviewers the scheduler may choose"),
        ),
        migrations.AddField(
            model_name="round",
            name="pool",
            field=models.ManyToManyField(blank=True, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="interviewers the scheduler may choose"),
        ),
    ]
