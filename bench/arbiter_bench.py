"""Benchmark of the arbiter's hot path: apply one command, then build every member's view.

Run: python bench/arbiter_bench.py [--json out.json]. A panel of 10 members, 10 topics of
6 questions each, in the blocks phase; the target is a median under 100 µs per command
including the 10 views the service pushes after it."""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import arbiter  # noqa: E402

TARGET_US = 100.0
MEMBERS = list(range(1, 11))
LEAD = MEMBERS[0]
UUID_TAIL = "4b1e-9f7a-2c3d5e6f7a8b"  # client ids are UUID-like: same length, late difference


def blocks_phase_state(now: float) -> arbiter.SessionState:
    """A session in the blocks phase: every member owns one topic; block 0 is running."""
    topics = [arbiter.TopicSpec(id=100 + i, name=f"Topic {i}", seconds=600) for i in range(10)]
    state = arbiter.new_session(
        lead=LEAD, lead_name="Lead", topics=topics, shuffle=True, seed=7, intro_text="Hello"
    )
    steps: list[arbiter.Command] = [
        arbiter.JoinSession(id=f"join:{m}", actor=m, name=f"Member {m}") for m in MEMBERS[1:]
    ]
    steps += [
        arbiter.SetClaim(id=f"claim:{m}", actor=m, topic_id=topic.id, claimed=True)
        for m, topic in zip(MEMBERS, topics, strict=True)
    ]
    bank = {
        topic.id: [
            arbiter.QuestionSpec(
                id=topic.id * 10 + q, text=f"Question {q} " * 8, answer="Answer " * 20, max_points=5
            )
            for q in range(6)
        ]
        for topic in topics
    }
    steps += [
        arbiter.StartSession(id="start", actor=LEAD, bank=bank),
        arbiter.BeginBlocks(id="begin", actor=LEAD),
    ]
    for command in steps:
        outcome = arbiter.apply(state, command, now)
        assert isinstance(outcome, arbiter.Applied), outcome
        state = outcome.state
    return state


def commands(owner: int, n: int, prefix: str) -> list[arbiter.Command]:
    """A repeating mix that keeps applying in the blocks phase: the owner asks, scores, skips
    and types questions; the lead extends the block."""
    cycle = [
        lambda i: arbiter.NextQuestion(id=i, actor=owner, score=4, note="ok " * 10),
        lambda i: arbiter.AddQuestion(id=i, actor=owner, text="Live question?"),
        lambda i: arbiter.SkipQuestion(id=i, actor=owner),
        lambda i: arbiter.ExtendBlock(id=i, actor=LEAD, seconds=60),
        lambda i: arbiter.AddQuestion(id=i, actor=owner, text="Another one?"),
        lambda i: arbiter.NextQuestion(id=i, actor=owner, score=3),
    ]
    return [cycle[i % len(cycle)](f"{prefix}-{i:04d}-{UUID_TAIL}") for i in range(n)]


def run(rounds: int, per_round: int) -> list[float]:
    now = 1_700_000_000.0
    base = blocks_phase_state(now)
    # A long session remembers the full 256 command ids: measure with that memory full.
    remembered = tuple((MEMBERS[i % 10], f"old-{i:04d}-{UUID_TAIL}") for i in range(256))
    base = dataclasses.replace(base, recent=remembered)
    owner = base.control
    assert owner is not None
    samples: list[float] = []
    clock = time.perf_counter
    for r in range(rounds):
        state = base
        # Fresh ids each round, built before timing: the base state has not seen them.
        for command in commands(owner, per_round, f"r{r}"):
            start = clock()
            outcome = arbiter.apply(state, command, now)
            assert isinstance(outcome, arbiter.Applied), outcome
            state = outcome.state
            for member in MEMBERS:
                arbiter.member_view(state, member, now, MEMBERS)
            samples.append(clock() - start)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--per-round", type=int, default=24)
    args = parser.parse_args()

    run(10, args.per_round)  # warm-up
    samples = sorted(run(args.rounds, args.per_round))
    median = statistics.median(samples) * 1e6
    p95 = samples[int(len(samples) * 0.95)] * 1e6
    met = median < TARGET_US
    print(
        f"arbiter: median {median:.1f} us, p95 {p95:.1f} us per command + {len(MEMBERS)} views "
        f"over {len(samples)} commands (target < {TARGET_US:.0f} us) "
        f"{'MET' if met else 'NOT MET'}"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "benchmark": "arbiter apply + member views",
                    "members": len(MEMBERS),
                    "topics": 10,
                    "questions_per_topic": 6,
                    "commands": len(samples),
                    "median_us": round(median, 1),
                    "p95_us": round(p95, 1),
                    "target_us": TARGET_US,
                    "met": met,
                    "python": platform.python_version(),
                    "machine": platform.machine(),
                },
                indent=2,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
