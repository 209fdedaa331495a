"""CSV exports (run inside a read session). Voter names appear only for non-anonymous
polls and surveys; every cell is neutralised against spreadsheet formulas."""

from __future__ import annotations

from sqlmodel import Session

from . import store
from .logic import percent, to_csv


def poll_csv(session: Session, poll_id: int) -> bytes:
    """Anonymous: one row per option (counts only). Otherwise: one row per ballot."""
    view = store.load_view(session, poll_id)
    poll = view.poll
    if poll.anonymous:
        total = sum(v for _, v in view.options)
        rows = [(n, label, votes, percent(votes, total)) for n, (label, votes) in enumerate(view.options, 1)]
        return to_csv(["option_number", "option", "votes", "percent"], rows)
    header = ["voter", "voter_id", "option_number", "option", "voted_at"]
    if poll.is_quiz:
        header.append("correct")
    rows = []
    for member, position, voted_at in store.ballots(session, poll_id):
        row: list[object] = [member.display_name, member.external_id, position, view.options[position - 1][0],
                             voted_at.isoformat()]
        if poll.is_quiz:
            row.append("yes" if position == poll.answer else "no")
        rows.append(row)
    return to_csv(header, rows)


def survey_csv(session: Session, poll_id: int) -> bytes:
    """One row per response; anonymous surveys have no respondent or time columns."""
    poll = store.load_view(session, poll_id).poll
    questions = store.load_questions(session, poll_id)
    texts = [q.text for q in questions]
    rows = []
    for member, submitted_at, answers in store.survey_responses(session, poll_id):
        values = [answers.get(n, "") for n in range(1, len(questions) + 1)]
        if poll.anonymous:
            rows.append(values)
        else:
            rows.append([member.display_name if member else "", member.external_id if member else "",
                         submitted_at.isoformat() if submitted_at else "", *values])
    header = texts if poll.anonymous else ["respondent", "respondent_id", "submitted_at", *texts]
    return to_csv(header, rows)
