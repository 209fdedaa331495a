"""Importing a bank from a file: text or CSV, strict limits, clear errors."""

from __future__ import annotations

import re

import pytest

from cogs.prompts.bankfile import MAX_FILE_BYTES, MAX_QUESTIONS, BankFileError, parse_bank_file


def test_text_file_one_question_per_line() -> None:
    data = "\ufeffWhat surprised you?\n\n# a comment\n  Which idea?  \nWhat surprised you?\n".encode()
    assert parse_bank_file("q.txt", data) == ["What surprised you?", "Which idea?"]


def test_csv_with_a_question_column() -> None:
    data = 'id,Question,week\n1,"Why, though?",1\n2,What next?,2\n3,,3\n'.encode()
    assert parse_bank_file("bank.csv", data) == ["Why, though?", "What next?"]


@pytest.mark.parametrize("name, data, message", [
    ("q.csv", b"id,text\n1,Why?\n", 'needs a "question" column (found: id, text)'),
    ("q.bin", b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
    ("q.txt", "Grüße?".encode("latin-1"), "not UTF-8"),
    ("q.txt", b"x" * (MAX_FILE_BYTES + 1), "the limit is 64 KB"),
    ("q.txt", "\n".join(f"Q{i}?" for i in range(MAX_QUESTIONS + 1)).encode(), "at most 500"),
    ("q.txt", b"\n  \n", "has no questions"),
    ("q.txt", ("x" * 501).encode(), "line 1: a question is longer than 500"),
])
def test_bad_files_are_refused_with_a_reason(name: str, data: bytes, message: str) -> None:
    with pytest.raises(BankFileError, match=re.escape(message)):
        parse_bank_file(name, data)
