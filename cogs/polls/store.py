"""Database work of the polls cog: each function runs inside one ``db.run``/``db.read``
transaction (``fn(session, ...)``), so a vote is one transaction, committed before the
voter is answered. Votes lock the poll row (``FOR UPDATE`` on PostgreSQL; SQLite write
transactions are ``BEGIN IMMEDIATE``), so concurrent clicks are serialised per poll."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from bot import Member, MessageRef, NotFound, UserError

from .ballots import BallotSeal, batch_to_open, random_id
from .logic import Click, PollSpec, SurveyQuestionSpec, TooManyPicks, apply_click
from .models import (Poll, PollAnswer, PollOption, PollQuestion, PollResponse, PollSchedule, PollSealedBallot, PollVote,
                     PollVoter)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollView:
    """A poll with its current counts: everything rendering needs."""

    poll: Poll
    options: tuple[tuple[str, int], ...]  # (label, votes) in position order
    voters: int
    sealed: int = 0  # anonymous votes cast but not counted yet (ballots.py)


@dataclass(frozen=True)
class VoteOutcome:
    poll: Poll
    click: Click
    first_vote: bool  # this member's first vote in this poll (events are published once)
    labels: tuple[str, ...]
    answer_stands: bool = False  # a quiz answered before: this click changed nothing

    def label(self, position: int) -> str:
        return self.labels[position - 1]


def unknown_poll(poll_id: int) -> NotFound:
    return NotFound(f"unknown poll #{poll_id} — check the number at the bottom of the poll")


# --- polls -------------------------------------------------------------------------------
def insert_poll(session: Session, community_id: int, author_id: int | None, spec: PollSpec, now: datetime,
                schedule_key: str | None = None) -> Poll:
    poll = Poll(community_id=community_id, author_id=author_id, question=spec.question, multi=spec.multi,
                max_picks=spec.max_picks, anonymous=spec.anonymous, hidden=spec.hidden, scale=spec.scale,
                answer=spec.answer, explain=spec.explain, created_at=now, schedule_key=schedule_key,
                closes_at=now + spec.closes_in if spec.closes_in else None)
    session.add(poll)
    session.flush()
    assert poll.id is not None
    for position, label in enumerate(spec.options, 1):
        session.add(PollOption(community_id=community_id, poll_id=poll.id, position=position, label=label))
    session.flush()
    return poll


def set_message(session: Session, poll_id: int, ref: MessageRef) -> None:
    poll = session.get(Poll, poll_id)
    assert poll is not None
    poll.message = ref


def delete_poll(session: Session, poll_id: int) -> None:
    for table in (PollAnswer, PollResponse, PollQuestion, PollVote, PollVoter, PollSealedBallot, PollOption):
        session.execute(delete(table).where(col(table.poll_id) == poll_id))
    session.execute(delete(Poll).where(col(Poll.id) == poll_id))


def get_poll(session: Session, community_id: int, poll_id: int) -> Poll:
    poll = session.get(Poll, poll_id)
    if poll is None or poll.community_id != community_id:
        raise unknown_poll(poll_id)
    return poll


def load_view(session: Session, poll_id: int) -> PollView:
    poll = session.get(Poll, poll_id)
    if poll is None:
        raise unknown_poll(poll_id)
    rows = session.exec(select(PollOption).where(PollOption.poll_id == poll_id).order_by(col(PollOption.position)))
    options = tuple((o.label, o.votes) for o in rows)
    sealed = sealed_count(session, poll_id) if poll.anonymous else 0
    return PollView(poll, options, voter_count(session, poll), sealed)


def sealed_count(session: Session, poll_id: int) -> int:
    stmt = select(func.count()).select_from(PollSealedBallot).where(PollSealedBallot.poll_id == poll_id)
    return int(session.exec(stmt).one())  # type: ignore[call-overload]


def voter_count(session: Session, poll: Poll) -> int:
    if poll.anonymous or poll.kind == "survey":
        stmt = select(func.count()).select_from(PollVoter).where(PollVoter.poll_id == poll.id)
    else:
        stmt = select(func.count(func.distinct(PollVote.member_id))).where(PollVote.poll_id == poll.id)
    return int(session.exec(stmt).one())  # type: ignore[call-overload]


def _lock_open(session: Session, community_id: int, poll_id: int, kind: str, now: datetime) -> Poll:
    poll = session.exec(select(Poll).where(Poll.id == poll_id).with_for_update()).first()
    if poll is None or poll.kind != kind or poll.community_id != community_id:
        raise NotFound(f"this {kind} no longer exists")
    if not poll.is_open or (poll.closes_at is not None and poll.closes_at <= now):
        raise UserError(f"this {kind} is closed")
    return poll


def _claim_first(session: Session, poll: Poll, member_id: int, now: datetime) -> bool:
    """Insert the has-voted guard; True when this is the member's first vote/answer."""
    found = session.exec(select(PollVoter.id).where(PollVoter.poll_id == poll.id,
                                                    PollVoter.member_id == member_id)).first()
    if found is not None:
        return False
    # Anonymous: no time of voting/answering on the guard, and a random id rather than the next
    # one, so neither orders the guards; the poll's creation time stands in.
    first_at = poll.created_at if poll.anonymous else now
    guard = PollVoter(community_id=poll.community_id, poll_id=poll.id, member_id=member_id, first_at=first_at)
    if poll.anonymous:
        guard.id = _free_id(session, PollVoter)
    session.add(guard)
    session.flush()
    return True


def _free_id(session: Session, table: Any) -> int:
    while True:
        candidate = random_id()
        if session.get(table, candidate) is None:
            return candidate


def _bump(session: Session, poll_id: int, position: int, by: int) -> None:
    session.execute(update(PollOption).where(col(PollOption.poll_id) == poll_id, col(PollOption.position) == position)
                    .values(votes=PollOption.votes + by))


def cast_vote(session: Session, community_id: int, poll_id: int, member_id: int, position: int,
              now: datetime, seal: BallotSeal | None = None) -> VoteOutcome:
    poll = _lock_open(session, community_id, poll_id, "poll", now)
    labels = tuple(session.exec(select(PollOption.label).where(PollOption.poll_id == poll_id)
                                .order_by(col(PollOption.position))).all())
    if not 1 <= position <= len(labels):
        raise NotFound("this button no longer works — run the command again")
    first = _claim_first(session, poll, member_id, now)
    if poll.anonymous:
        if not first:
            raise UserError("you already voted in this anonymous poll — anonymous votes are final and "
                            "can't be changed, because nobody (not even the bot) knows which option was yours")
        if seal is None:
            raise RuntimeError("an anonymous vote needs the ballot seal")
        # the guard and a sealed ballot: the counts move later, in batches (count_sealed)
        session.add(PollSealedBallot(id=_free_id(session, PollSealedBallot), community_id=poll.community_id,
                                     poll_id=poll_id, sealed=seal.seal(poll_id, position)))
        session.flush()
        return VoteOutcome(poll, Click(frozenset(), frozenset({position})), True, labels)
    mine = session.exec(select(PollVote).where(PollVote.poll_id == poll_id, PollVote.member_id == member_id)).all()
    if poll.is_quiz and mine:  # the first answer is final: results, export and points all count it
        kept = frozenset(v.position for v in mine)
        return VoteOutcome(poll, Click(kept, kept), first, labels, answer_stands=True)
    try:
        click = apply_click((v.position for v in mine), position, multi=poll.multi, max_picks=poll.max_picks)
    except TooManyPicks as error:
        raise UserError(str(error)) from None
    for vote in mine:
        if vote.position in click.removed:
            session.delete(vote)
            _bump(session, poll_id, vote.position, -1)
    for added in click.added:
        session.add(PollVote(community_id=poll.community_id, poll_id=poll_id, member_id=member_id, position=added,
                             voted_at=now))
        _bump(session, poll_id, added, 1)
    session.flush()
    return VoteOutcome(poll, click, first, labels)


def count_sealed(session: Session, poll_id: int, seal: BallotSeal, k: int, *, closing: bool = False) -> int:
    """Open a batch of sealed ballots (batch_to_open), add them to the counts and delete them, in
    one transaction under the poll's lock. Returns how many were counted."""
    poll = session.exec(select(Poll).where(Poll.id == poll_id).with_for_update()).first()
    rows = session.exec(select(PollSealedBallot).where(PollSealedBallot.poll_id == poll_id)).all()
    chosen = set(batch_to_open([r.id for r in rows], k, closing=closing))
    if poll is None or not chosen:
        return 0
    opened = [r for r in rows if r.id in chosen]
    secrets.SystemRandom().shuffle(opened)  # survey responses get their ids in this order: a random one
    tally: dict[int, int] = {}
    unreadable = 0
    for row in opened:
        session.delete(row)
        if poll.kind == "survey":
            answers = seal.open_answers(poll_id, row.sealed)
            if answers is None:
                unreadable += 1
            else:
                _add_response(session, poll, None, None, answers)
                tally[0] = tally.get(0, 0) + 1
            continue
        position = seal.open(poll_id, row.sealed)
        if position is None:
            unreadable += 1
        else:
            tally[position] = tally.get(position, 0) + 1
    for position, count in sorted(tally.items()):
        if poll.kind != "survey":
            _bump(session, poll_id, position, count)
    if unreadable:  # sealed under another key (BALLOT_KEY changed): they cannot be counted
        log.warning("poll %s: %d sealed ballot(s) could not be opened (was BALLOT_KEY "
                                            "changed?) and were dropped", poll_id, unreadable)
    session.flush()
    return sum(tally.values())


def close_if_open(session: Session, poll_id: int, now: datetime, seal: BallotSeal | None = None) -> bool:
    """Open -> closed exactly once (a conditional UPDATE); False if it was already closed. Every
    anonymous ballot still sealed is counted in the same transaction."""
    result = session.execute(update(Poll).where(col(Poll.id) == poll_id, col(Poll.status) == "open")
                             .values(status="closed", closed_at=now))
    closed = bool(result.rowcount)  # type: ignore[attr-defined]
    if closed and seal is not None:
        count_sealed(session, poll_id, seal, 1, closing=True)
    return closed


def due_polls(session: Session, now: datetime) -> list[int]:
    stmt = select(Poll.id).where(Poll.status == "open", col(Poll.closes_at).is_not(None),
                                 col(Poll.closes_at) <= now).order_by(col(Poll.closes_at))
    return [int(i) for i in session.exec(stmt).all() if i is not None]


def ballots(session: Session, poll_id: int) -> list[tuple[Member, int, datetime]]:
    """(member, option position, when) for a non-anonymous poll, in voting order."""
    stmt = (select(Member, PollVote.position, PollVote.voted_at).join(PollVote, col(PollVote.member_id) == Member.id)
            .where(PollVote.poll_id == poll_id).order_by(col(PollVote.voted_at), col(PollVote.id)))
    return [(m, p, t) for m, p, t in session.exec(stmt).all()]


# --- surveys -----------------------------------------------------------------------------
def insert_survey(session: Session, community_id: int, author_id: int | None, title: str,
                  questions: Sequence[SurveyQuestionSpec], anonymous: bool, closes_at: datetime | None,
                  now: datetime, schedule_key: str | None = None) -> Poll:
    poll = Poll(community_id=community_id, kind="survey", author_id=author_id, question=title, anonymous=anonymous,
                created_at=now, closes_at=closes_at, schedule_key=schedule_key)
    session.add(poll)
    session.flush()
    assert poll.id is not None
    for position, q in enumerate(questions, 1):
        session.add(PollQuestion(community_id=community_id, poll_id=poll.id, position=position, text=q.text,
                                 kind=q.kind, options="; ".join(q.options)))
    session.flush()
    return poll


def load_questions(session: Session, poll_id: int) -> tuple[SurveyQuestionSpec, ...]:
    rows = session.exec(select(PollQuestion).where(PollQuestion.poll_id == poll_id)
                        .order_by(col(PollQuestion.position))).all()
    return tuple(SurveyQuestionSpec(r.text, r.kind, tuple(o.strip() for o in r.options.split(";") if o.strip()))
                 for r in rows)


def has_answered(session: Session, poll_id: int, member_id: int) -> bool:
    return session.exec(select(PollVoter.id).where(PollVoter.poll_id == poll_id,
                                                   PollVoter.member_id == member_id)).first() is not None


def submit_survey(session: Session, community_id: int, poll_id: int, member_id: int, answers: Sequence[str],
                  now: datetime, seal: BallotSeal | None = None) -> Poll:
    poll = _lock_open(session, community_id, poll_id, "survey", now)
    if not _claim_first(session, poll, member_id, now):
        raise UserError("you already answered this survey — thank you!")
    if poll.anonymous and seal is not None:  # sealed like a poll ballot; stored as a response in a batch
        session.add(PollSealedBallot(id=_free_id(session, PollSealedBallot), community_id=poll.community_id,
                                     poll_id=poll_id, sealed=seal.seal_answers(poll_id, answers)))
        session.flush()
        return poll
    _add_response(session, poll, None if poll.anonymous else member_id, None if poll.anonymous else now, answers)
    return poll


def _add_response(session: Session, poll: Poll, member_id: int | None, at: datetime | None,
                  answers: Sequence[str]) -> None:
    response = PollResponse(community_id=poll.community_id, poll_id=poll.id, member_id=member_id, submitted_at=at)
    session.add(response)
    session.flush()
    assert response.id is not None
    for position, value in enumerate(answers, 1):
        session.add(PollAnswer(community_id=poll.community_id, response_id=response.id, poll_id=poll.id,
                               position=position, value=value))
    session.flush()


def survey_responses(session: Session, poll_id: int) -> list[tuple[Member | None, datetime | None, dict[int, str]]]:
    responses = session.exec(select(PollResponse).where(PollResponse.poll_id == poll_id)
                             .order_by(col(PollResponse.id))).all()
    answers: dict[int, dict[int, str]] = {}
    for a in session.exec(select(PollAnswer).where(PollAnswer.poll_id == poll_id)).all():
        answers.setdefault(a.response_id, {})[a.position] = a.value
    out = []
    for r in responses:
        member = session.get(Member, r.member_id) if r.member_id else None
        out.append((member, r.submitted_at, answers.get(r.id or 0, {})))
    return out


# --- schedules and privacy ---------------------------------------------------------------
def schedule_since(session: Session, community_id: int, kind: str, key: str, now: datetime) -> datetime:
    """When this YAML schedule first existed (recorded on first sight)."""
    row = session.exec(select(PollSchedule).where(PollSchedule.community_id == community_id,
                                                  PollSchedule.kind == kind, PollSchedule.key == key)).first()
    if row is None:
        row = PollSchedule(community_id=community_id, kind=kind, key=key, created_at=now)
        session.add(row)
        session.flush()
    return row.created_at


def erase_member(session: Session, community_id: int, member_id: int) -> int:
    """Erase a member's ballots (counts drop with them), guards and named responses."""
    count = 0
    votes = session.exec(select(PollVote).where(PollVote.community_id == community_id,
                                                PollVote.member_id == member_id)).all()
    for vote in votes:
        _bump(session, vote.poll_id, vote.position, -1)
        session.delete(vote)
        count += 1
    responses = session.exec(select(PollResponse).where(PollResponse.community_id == community_id,
                                                        PollResponse.member_id == member_id)).all()
    for response in responses:
        result: Any = session.execute(delete(PollAnswer).where(col(PollAnswer.response_id) == response.id))
        count += int(result.rowcount or 0) + 1
        session.delete(response)
    result = session.execute(delete(PollVoter).where(col(PollVoter.community_id) == community_id,
                                                     col(PollVoter.member_id) == member_id))
    count += int(result.rowcount or 0)
    session.execute(update(Poll).where(col(Poll.community_id) == community_id, col(Poll.author_id) == member_id)
                    .values(author_id=None))
    return count
