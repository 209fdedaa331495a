"""Reading a question bank from an uploaded file: UTF-8 text (one question per line) or CSV.

Pure and strict: any problem raises ``BankFileError`` with a message for the user, and the
caller stores nothing.
"""

from __future__ import annotations

import csv
import io

from .config import MAX_QUESTION_LENGTH

MAX_FILE_BYTES = 64 * 1024
MAX_QUESTIONS = 500


class BankFileError(ValueError):
    """The file cannot be imported; the message says why."""


def parse_bank_file(filename: str, data: bytes, content_type: str = "text/plain") -> list[str]:
    """The questions in the file, in order, without blanks or repeats."""
    if len(data) > MAX_FILE_BYTES:
        raise BankFileError(f"{filename} is {len(data) // 1024} KB — the limit is {MAX_FILE_BYTES // 1024} KB")
    if b"\x00" in data:
        raise BankFileError(f"{filename} looks like a binary file — upload UTF-8 text (one question per line) or CSV")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BankFileError(f"{filename} is not UTF-8 text — save it as UTF-8 and try again") from None
    is_csv = filename.lower().endswith(".csv") or content_type.split(";")[0].strip() in ("text/csv", "application/csv")
    numbered = _csv_questions(filename, text) if is_csv else _line_questions(text)
    questions: list[str] = []
    for line, question in numbered:
        if len(question) > MAX_QUESTION_LENGTH:
            raise BankFileError(f"{filename} line {line}: a question is longer than {MAX_QUESTION_LENGTH} characters")
        if question not in questions:
            questions.append(question)
    if not questions:
        raise BankFileError(f"{filename} has no questions — put one question per line"
                            + (' under a "question" column' if is_csv else ""))
    if len(questions) > MAX_QUESTIONS:
        raise BankFileError(f"{filename} has {len(questions)} questions — at most {MAX_QUESTIONS} per import")
    return questions


def _line_questions(text: str) -> list[tuple[int, str]]:
    """One question per line; blank lines and lines starting with # are ignored."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        cleaned = line.strip()
        if cleaned and not cleaned.startswith("#"):
            out.append((number, cleaned))
    return out


def _csv_questions(filename: str, text: str) -> list[tuple[int, str]]:
    try:
        reader = csv.DictReader(io.StringIO(text))
        fields = [f.strip().lower() for f in (reader.fieldnames or [])]
        if "question" not in fields:
            found = ", ".join(f for f in fields if f) or "none"
            raise BankFileError(f'{filename}: a CSV needs a "question" column (found: {found})')
        column = (reader.fieldnames or [])[fields.index("question")]
        out = []
        for row in reader:
            value = (row.get(column) or "").strip()
            if value:
                out.append((reader.line_num, value))
        return out
    except csv.Error as error:
        raise BankFileError(f"{filename} is not valid CSV: {error}") from None
