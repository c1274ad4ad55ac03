"""The anonymous responses export: one CSV row per deelname, one column per question key.

Pure: two streams in (the responses, and their answers in the same order of response), CSV
bytes out, a chunk at a time, so the caller can stream a scan of any size with flat memory.

The file is meant to be double-clicked open in a Dutch Excel: UTF-8 with a byte order mark
(without it Excel reads the text as Windows-1252) and ``;`` between cells, because Excel
splits a CSV on the regional list separator, which is ``;`` wherever the decimal mark is a
comma. (A ``sep=`` first line would fix the separator, but makes Excel ignore the BOM.)
"""

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime

from app.scan.rules import local_date

BOM = "\ufeff"
DELIMITER = ";"
MULTI_SEPARATOR = "|"
FIXED_COLUMNS = ("nr", "kanaal", "taal", "ingestuurd_op")
CHUNK_SIZE = 64 * 1024  # characters per yielded chunk
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# What the export reads, streamed from ``queries.export_responses`` and ``export_answers``:
# (response key, channel, language, submitted at) and (response key, question id, value, text).
# The key is the response's id as the database writes it, only to match the two; it is
# never written to the file.
ResponseRow = tuple[str, str, str, datetime | None]
AnswerRow = tuple[str, int, str | None, str | None]


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text: a leading ``'`` before anything formula-like."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def header(question_keys: Sequence[str]) -> list[str]:
    return [neutralise(name) for name in (*FIXED_COLUMNS, *question_keys)]


def rows(
    responses: Iterable[ResponseRow], answers: Iterable[AnswerRow], columns: Mapping[int, int]
) -> Iterator[list[str]]:
    """One row per deelname: both streams come in the same order of response.

    ``columns`` maps a question id to its place among the question columns. Several values
    of one question (multiple choice, ranking) are joined with ``|`` in the order they come,
    so the answers must arrive in answer position order. The row number counts the rows; it
    is not the response's id. The submission is a date in the municipality's time zone,
    never a time.
    """
    width = len(columns)
    pending = iter(answers)
    answer = next(pending, None)
    for number, (key, channel, language, submitted_at) in enumerate(responses, start=1):
        values: dict[int, list[str]] = {}
        while answer is not None and answer[0] == key:
            _, question_id, value, text = answer
            column = columns.get(question_id)
            content = value if value is not None else text
            if column is not None and content is not None:
                values.setdefault(column, []).append(content)
            answer = next(pending, None)
        submitted = local_date(submitted_at).isoformat() if submitted_at else ""
        cells = [str(number), channel, language, submitted]
        cells.extend(MULTI_SEPARATOR.join(values[c]) if c in values else "" for c in range(width))
        yield [neutralise(cell) for cell in cells]


def csv_chunks(
    head: list[str], body: Iterable[list[str]], chunk_size: int = CHUNK_SIZE
) -> Iterator[bytes]:
    """The CSV file in UTF-8 chunks of about ``chunk_size`` characters, BOM and header first.

    Cells are quoted where needed (``;``, quotes, newlines), so free text keeps its line breaks.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(head)
    for row in body:
        writer.writerow(row)
        if buffer.tell() >= chunk_size:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
