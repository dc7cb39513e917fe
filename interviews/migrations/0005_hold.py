# The time each scheduled round takes from each person on it, and the database rule that one
# person's holds never overlap: an exclusion constraint on PostgreSQL (btree_gist), triggers on
# SQLite. Holds are filled for the rounds already scheduled or running (an overlap the old
# code let through, e.g. one candidate in two rounds at once, keeps the earlier round's hold).

import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models

POSTGRES_UP = [
    "ALTER TABLE interviews_hold ADD CONSTRAINT hold_user_no_overlap EXCLUDE USING gist "
    "(user_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (user_id IS NOT NULL)",
    "ALTER TABLE interviews_hold ADD CONSTRAINT hold_candidate_no_overlap EXCLUDE USING gist "
    "(candidate_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
    "WHERE (candidate_id IS NOT NULL)",
]
POSTGRES_DOWN = [
    "ALTER TABLE interviews_hold DROP CONSTRAINT IF EXISTS hold_user_no_overlap",
    "ALTER TABLE interviews_hold DROP CONSTRAINT IF EXISTS hold_candidate_no_overlap",
]

# Django keeps SQLite datetimes as UTC text of one fixed-width shape ("2026-12-07 09:00:00",
# maybe with ".ffffff"), so comparing the text compares the moments. RAISE(ABORT) fails the
# statement with SQLITE_CONSTRAINT: Django raises IntegrityError, as for PostgreSQL's rule.
_OVERLAP = (
    "EXISTS (SELECT 1 FROM interviews_hold AS other WHERE other.starts_at < NEW.ends_at "
    "AND NEW.starts_at < other.ends_at AND ((NEW.user_id IS NOT NULL AND "
    "other.user_id = NEW.user_id) OR (NEW.candidate_id IS NOT NULL AND "
    "other.candidate_id = NEW.candidate_id)){extra})"
)
SQLITE_UP = [
    "CREATE TRIGGER hold_no_overlap_insert BEFORE INSERT ON interviews_hold "
    f"WHEN {_OVERLAP.format(extra='')} "
    "BEGIN SELECT RAISE(ABORT, 'hold_overlap: the person is taken then'); END",
    "CREATE TRIGGER hold_no_overlap_update BEFORE UPDATE OF user_id, candidate_id, starts_at, "
    f"ends_at ON interviews_hold WHEN {_OVERLAP.format(extra=' AND other.id <> NEW.id')} "
    "BEGIN SELECT RAISE(ABORT, 'hold_overlap: the person is taken then'); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS hold_no_overlap_insert",
    "DROP TRIGGER IF EXISTS hold_no_overlap_update",
]


def _run(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def no_overlap(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP})


def allow_overlap(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN})


def fill_holds(apps, schema_editor):
    from datetime import timedelta

    Round = apps.get_model("interviews", "Round")
    Hold = apps.get_model("interviews", "Hold")
    alias = schema_editor.connection.alias
    taken: dict[tuple[str, int], list[tuple[object, object]]] = {}
    holds = []

    def free(key, starts, ends):
        return all(not (s < ends and starts < e) for s, e in taken.get(key, []))

    rounds = (
        Round.objects.using(alias)
        .filter(status__in=["scheduled", "running"], starts_at__isnull=False)
        .prefetch_related("assistants")
        .order_by("starts_at", "id")
    )
    for row in rounds:
        starts = row.starts_at
        ends = starts + timedelta(minutes=row.duration_minutes)
        people = [row.interviewer_id] if row.interviewer_id else []
        people += [p.pk for p in row.assistants.all() if p.pk != row.interviewer_id]
        for user_id in dict.fromkeys(people):
            if free(("user", user_id), starts, ends):
                taken.setdefault(("user", user_id), []).append((starts, ends))
                holds.append(Hold(round=row, user_id=user_id, starts_at=starts, ends_at=ends))
        if free(("candidate", row.candidate_id), starts, ends):
            taken.setdefault(("candidate", row.candidate_id), []).append((starts, ends))
            holds.append(
                Hold(round=row, candidate_id=row.candidate_id, starts_at=starts, ends_at=ends)
            )
    Hold.objects.using(alias).bulk_create(holds, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("candidates", "0006_resume_versions"),
        ("interviews", "0004_round_points"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Only on PostgreSQL (the operation does nothing elsewhere): ``=`` on a bigint in a
        # GiST index, beside ``&&`` on the time range.
        BtreeGistExtension(),
        migrations.CreateModel(
            name="Hold",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("starts_at", models.DateTimeField(verbose_name="starts at")),
                ("ends_at", models.DateTimeField(verbose_name="ends at")),
                ("candidate", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="candidates.candidate", verbose_name="candidate")),
                ("round", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="holds", to="interviews.round", verbose_name="round")),
                ("user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="interviewer")),
            ],
            options={
                "verbose_name": "time taken by a round",
                "verbose_name_plural": "times taken by rounds",
                "ordering": ["starts_at", "id"],
                "indexes": [models.Index(fields=["user", "starts_at"], name="hold_user_starts"), models.Index(fields=["candidate", "starts_at"], name="hold_candidate_starts")],
                "constraints": [models.CheckConstraint(condition=models.Q(models.Q(("user__isnull", False), ("candidate__isnull", True)), models.Q(("user__isnull", True), ("candidate__isnull", False)), _connector="OR"), name="hold_one_person"), models.CheckConstraint(condition=models.Q(("ends_at__gt", models.F("starts_at"))), name="hold_ends_after")],
            },
        ),
        migrations.RunPython(fill_holds, migrations.RunPython.noop),
        migrations.RunPython(no_overlap, allow_overlap),
    ]
