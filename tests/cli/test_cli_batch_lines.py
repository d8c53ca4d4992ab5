"""batch lines: split exactly like shlex.split (in linear time), and bounded in length."""

from __future__ import annotations

import io
import itertools
import json
import shlex

import pytest

from mxgateway.testing import run_simulator_in_thread
from mxgateway_cli._batch import BATCH_END_OF_RESULT, MAX_LINE_CHARACTERS, read_bounded_line
from mxgateway_cli._split import split_words
from mxgateway_cli.app import run

ALPHABET = "a '\"\\\t"


def _shlex_outcome(line: str) -> list[str] | str:
    try:
        return shlex.split(line)
    except ValueError:
        return "error"


def _our_outcome(line: str) -> list[str] | str:
    try:
        return split_words(line)
    except ValueError:
        return "error"


def test_every_short_line_splits_like_shlex() -> None:
    # Every line of up to 6 characters over the characters that matter
    # (quotes, backslash, blanks, a letter): 56,000 lines, compared whole.
    checked = 0
    for length in range(7):
        for letters in itertools.product(ALPHABET, repeat=length):
            line = "".join(letters)
            assert _our_outcome(line) == _shlex_outcome(line), repr(line)
            checked += 1
    assert checked == sum(len(ALPHABET) ** n for n in range(7))


@pytest.mark.parametrize(
    "line",
    [
        "write --session-id s --value 'two words' --json",
        'write --value "say \\"hi\\" \\n and \\\\ back"',
        "a\\ b c''d \"\" '' e\\\nf",
        "ünïcödé 'ß\"x' \"it's\"",
        "tab\tseparated\r\nwords",
        "x\u00a0y",  # not a POSIX blank: one word
    ],
)
def test_lines_that_people_write(line: str) -> None:
    assert split_words(line) == shlex.split(line)


def test_unclosed_quotes_and_a_trailing_backslash_are_errors() -> None:
    for line in ("'open", '"open', 'a "b\\"', "trailing\\"):
        with pytest.raises(ValueError):
            split_words(line)


def test_a_long_word_is_split_whole() -> None:
    word = "x" * MAX_LINE_CHARACTERS
    assert split_words(f"ping --session-id {word}") == ["ping", "--session-id", word]


def test_read_bounded_line_cuts_an_overlong_line_and_skips_its_rest() -> None:
    stream = io.StringIO("a" * 25 + "\nnext\n" + "b" * 10)
    first = read_bounded_line(stream, limit=10)
    assert first == "a" * 11  # cut at limit + 1: the caller sees it was too long
    assert read_bounded_line(stream, limit=10) == "next\n"
    assert read_bounded_line(stream, limit=10) == "b" * 10  # exactly the limit, at end of input
    assert read_bounded_line(stream, limit=10) == ""
    exact = io.StringIO("c" * 10 + "\n")
    assert read_bounded_line(exact, limit=10) == "c" * 10 + "\n"


def test_an_overlong_batch_line_is_a_clear_error_and_the_batch_goes_on(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with run_simulator_in_thread() as sim:
        overlong = "ping --session-id " + "x" * MAX_LINE_CHARACTERS
        lines = [overlong, "version --json", "'unclosed", ""]
        monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
        assert run(["batch", "--endpoint", sim.endpoint, "--plaintext"]) == 0
        assert sim.statistics()["calls"].get("Invoke", 0) == 0  # nothing was sent for it
    results = capsys.readouterr().out.split(BATCH_END_OF_RESULT + "\n")
    assert len(results) == 4 and results[-1] == ""
    too_long = json.loads(results[0])
    assert too_long["errorType"] == "LineTooLong" and too_long["exitCode"] == 2
    assert f"longer than {MAX_LINE_CHARACTERS} characters" in too_long["error"]
    assert json.loads(results[1])["command"] == "version"
    unclosed = json.loads(results[2])
    assert unclosed["exitCode"] == 2 and "closing quotation" in unclosed["error"]
