"""Authors' edits of their own scores, notes and feedback after the interview, until the
manager decides; each edit is kept in the session's history (``ResultEdit``).

The arbiter's state stays what was said live; the current results are that state with the
edits applied in order (``apply_edits``), and the report rows (``AskedQuestion``,
``FeedbackRecord``) are updated in the edit's transaction so reports agree with the page.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

import arbiter
from accounts.models import User
from candidates.validators import validate_plain_text
from sessions_live.models import (
    AskedQuestion,
    FeedbackRecord,
    LiveSession,
    ResultEdit,
)

MAX_NOTE = 4000
MAX_SUMMARY = 4000


class EditRefused(Exception):
    """An edit the rules do not allow; ``message`` is for the author."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _plain(text: str, limit: int) -> str:
    from django.core.exceptions import ValidationError

    if not isinstance(text, str) or len(text) > limit:
        raise EditRefused(
            "bad_request",
            ngettext("Text of at most %(n)s character.", "Text of at most %(n)s characters.", limit)
            % {"n": limit},
        )
    try:
        validate_plain_text(text, multiline=True)
    except ValidationError as error:
        raise EditRefused("bad_request", " ".join(error.messages)) from error
    return text


def _locked(session: LiveSession) -> tuple[LiveSession, arbiter.SessionState]:
    """The session row under its lock (the decision takes the same lock), checked open."""
    row = LiveSession.objects.select_for_update().get(pk=session.pk)
    state = arbiter.SessionState.from_json(row.state)
    if state.phase != "finished":
        raise EditRefused("not_finished", _("Scores and feedback can be edited after the end."))
    # Through the reverse relation the cabinet declares: the cabinet sits above, not imported.
    if row.decisions.filter(reopened_at__isnull=True).exists():
        raise EditRefused(
            "decided", _("The manager has decided; scores and feedback can no longer change.")
        )
    return row, state


def edits_open(session: LiveSession) -> bool:
    """Whether authors may still edit: the interview is over and no decision is current."""
    return (
        session.phase == LiveSession.Phase.FINISHED
        and not session.decisions.filter(reopened_at__isnull=True).exists()
    )


def history_for(*, session: LiveSession, results: dict[str, Any]) -> list[ResultEdit]:
    """The edits a viewer of ``results`` may see: those of the people whose work is shown."""
    shown = {f["member"] for f in results["feedback"]} | {
        b["owner"] for b in results["blocks"] if not b.get("hidden")
    }
    return list(
        ResultEdit.objects.filter(session=session, author_id__in=shown)
        .select_related("author")
        .order_by("at", "id")
    )


def _record(
    row: LiveSession,
    author: User,
    kind: str,
    old: dict[str, Any],
    new: dict[str, Any],
    **target: Any,
) -> ResultEdit:
    """One line of the session's history: who changed what from ``old`` to ``new``, now."""
    return ResultEdit.objects.create(
        session=row, author=author, kind=kind, old=old, new=new, at=timezone.now(), **target
    )


def current_results(session: LiveSession) -> dict[str, Any]:
    from sessions_live.selectors import results_for_page

    return results_for_page(session=session, state=arbiter.SessionState.from_json(session.state))


def score_edit(
    *,
    session: LiveSession,
    author: User,
    block_index: int,
    question_key: str,
    score: int,
    note: str,
) -> ResultEdit:
    """Change the score and note the author gave one question of their own block."""
    note = _plain(note, MAX_NOTE)
    with transaction.atomic():
        row, state = _locked(session)
        results = current_results(row)
        block = next((b for b in results["blocks"] if b["index"] == block_index), None)
        if block is None or block["owner"] != author.pk:
            raise EditRefused("forbidden", _("You can edit only the scores of your own block."))
        question = next((q for q in block["questions"] if q["key"] == question_key), None)
        if question is None or question["skipped"]:
            raise EditRefused("bad_request", _("That question was not scored in your block."))
        if not isinstance(score, int) or not 0 <= score <= question["max_points"]:
            raise EditRefused(
                "bad_request",
                _("A score is 0 to %(max)s.") % {"max": question["max_points"]},
            )
        old = {"score": question["score"], "note": question["note"]}
        new = {"score": score, "note": note}
        edit = _record(
            row,
            author,
            ResultEdit.Kind.SCORE,
            old,
            new,
            block_index=block_index,
            question_key=question_key,
        )
        AskedQuestion.objects.filter(session=row, block_index=block_index, key=question_key).update(
            score=score, note=note
        )
    return edit


def feedback_edit(
    *, session: LiveSession, author: User, summary: str, items: Mapping[str, str]
) -> ResultEdit:
    """Change the author's own submitted feedback (summary and per-question items)."""
    summary = _plain(summary, MAX_SUMMARY)
    if not summary.strip():
        raise EditRefused("bad_request", _("The summary cannot be empty."))
    with transaction.atomic():
        row, state = _locked(session)
        results = current_results(row)
        mine = next((f for f in results["feedback"] if f["member"] == author.pk), None)
        if mine is None:
            raise EditRefused("no_feedback", _("Submit your feedback before editing it."))
        asked = {
            q["key"] for b in results["blocks"] if b["owner"] == author.pk for q in b["questions"]
        }
        cleaned = {}
        for key, text in items.items():
            if key not in asked:
                raise EditRefused("bad_request", _("Feedback items are only for your questions."))
            cleaned[key] = _plain(text, MAX_NOTE)
        old = {"summary": mine["summary"], "items": mine["items"]}
        new = {"summary": summary, "items": cleaned}
        edit = _record(row, author, ResultEdit.Kind.FEEDBACK, old, new)
        FeedbackRecord.objects.filter(session=row, member=author).update(
            summary=summary, items=cleaned
        )
    return edit


def apply_edits(results: dict[str, Any], edits: Iterable[ResultEdit]) -> dict[str, Any]:
    """The arbiter's results with the authors' edits applied in order, totals recounted."""
    results = copy.deepcopy(results)
    blocks = {block["index"]: block for block in results["blocks"]}
    feedback = {f["member"]: f for f in results["feedback"]}
    edited = False
    for edit in edits:
        edited = True
        if edit.kind == ResultEdit.Kind.SCORE:
            block = blocks.get(edit.block_index)
            for question in block["questions"] if block else ():
                if question["key"] == edit.question_key:
                    question.update(score=edit.new["score"], note=edit.new["note"], edited=True)
        elif edit.author_id in feedback:
            feedback[edit.author_id].update(
                summary=edit.new["summary"], items=dict(edit.new["items"]), edited=True
            )
    if edited:
        _recount(results)
    return results


def _recount(results: dict[str, Any]) -> None:
    grand = {"score": 0, "max_points": 0, "scored": 0, "skipped": 0}
    for block in results["blocks"]:
        scored = [q for q in block["questions"] if not q["skipped"]]
        totals = {
            "score": sum(q["score"] or 0 for q in scored),
            "max_points": sum(q["max_points"] for q in scored),
            "scored": len(scored),
            "skipped": len(block["questions"]) - len(scored),
        }
        block["totals"] = totals
        for name, value in totals.items():
            grand[name] += value
    results["totals"] = grand
