"""The stable refusal codes the arbiter answers with; the Django layer translates them."""

from __future__ import annotations

NOT_MEMBER = "not_member"
NOT_LEAD = "not_lead"
NOT_YOUR_TURN = "not_your_turn"
WRONG_PHASE = "wrong_phase"
NOT_READY = "not_ready"
UNKNOWN_TOPIC = "unknown_topic"
BAD_SCORE = "bad_score"
NO_QUESTION = "no_question"
PAUSED = "paused"
NOT_PAUSED = "not_paused"
ALREADY_SUBMITTED = "already_submitted"
FEEDBACK_NOT_DUE = "feedback_not_due"
NO_PROPOSAL = "no_proposal"
BAD_REQUEST = "bad_request"
UNKNOWN_TYPE = "unknown_type"
STALE = "stale"
BAD_TEXT = "bad_text"
TOO_MANY_QUESTIONS = "too_many_questions"
# Frame-level refusals (arbiter.frames): the frame never became a command.
BAD_JSON = "bad_json"
BAD_FRAME = "bad_frame"
TOO_LARGE = "too_large"
# The command is valid but its result would make the stored state too large (the shell
# measures the state; the code lives here with the others).
STATE_TOO_LARGE = "state_too_large"

ALL_CODES: tuple[str, ...] = (
    NOT_MEMBER,
    NOT_LEAD,
    NOT_YOUR_TURN,
    WRONG_PHASE,
    NOT_READY,
    UNKNOWN_TOPIC,
    BAD_SCORE,
    NO_QUESTION,
    PAUSED,
    NOT_PAUSED,
    ALREADY_SUBMITTED,
    FEEDBACK_NOT_DUE,
    NO_PROPOSAL,
    BAD_REQUEST,
    UNKNOWN_TYPE,
    STALE,
    BAD_TEXT,
    TOO_MANY_QUESTIONS,
    BAD_JSON,
    BAD_FRAME,
    TOO_LARGE,
    STATE_TOO_LARGE,
)
