"""Numbers, durations, ports, endpoints and key variables are taken exactly as typed, or refused.

Every integer and duration option of every command (found by walking the
cyclopts app, so a new option is covered without editing this file) is
given values that cyclopts or Python would otherwise round, read or accept:
each one must be a usage error (exit 2, a JSON error naming the option)
before anything is sent.
"""

from __future__ import annotations

import io
import json
import typing
from collections.abc import Iterator
from typing import Any

import pytest

from mxgateway_cli.app import app, run

UNREACHABLE = ["--endpoint", "127.0.0.1:1", "--plaintext"]
BAD_INTEGERS = ["1.6", "0.4", "1.5", "\u0661\u0662\u0663", "1_000", "0x10", " 7", "", "1e3", "nan"]
BAD_DURATIONS = ["nan", "NaN", "inf", "-inf", "infinity", "1e400", "0", "-1", "\u0661", "1_0", "", "soon"]


def _commands(root: Any = app, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every runnable command as (words, its cyclopts App), sub-apps included."""
    for name in sorted(root):
        if name.startswith("-"):
            continue
        sub = root[name]
        if sub is root:
            continue
        words = (*prefix, name)
        if sub.default_command is not None:
            yield words, sub
        yield from _commands(sub, words)


def _base_type(hint: Any) -> Any:
    while typing.get_origin(hint) is typing.Annotated:
        hint = typing.get_args(hint)[0]
    if typing.get_origin(hint) in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _base_type(inner[0]) if len(inner) == 1 else hint
    return hint


def _options(sub: Any, kind: type) -> list[tuple[str, list[str]]]:
    """(option, the other required options with valid values) for each option of ``kind``."""
    arguments = [a for a in sub.assemble_argument_collection() if a.names and a.names[0].startswith("--")]
    required: list[str] = []
    for argument in arguments:
        if argument.required:
            base = _base_type(argument.hint)
            required += [argument.names[0], "1" if base in (int, float) else "x"]
    found = []
    for argument in arguments:
        if _base_type(argument.hint) is kind:
            name = argument.names[0]
            others = [w for i, w in enumerate(required) if required[i - (i % 2)] != name]
            found.append((name, others))
    return found


def _cases(kind: type) -> list[tuple[tuple[str, ...], str, list[str]]]:
    return [(words, option, others) for words, sub in _commands() for option, others in _options(sub, kind)]


INTEGER_CASES = _cases(int)
DURATION_CASES = _cases(float)


@pytest.fixture(autouse=True)
def nothing_runs_for_real(monkeypatch: pytest.MonkeyPatch) -> None:
    """If a bad value slipped through, fail fast instead of serving or reading stdin."""

    def no_server(**kwargs: Any) -> None:
        raise AssertionError(f"simulate started with {kwargs}")

    monkeypatch.setattr("mxgateway.testing.serve_forever", no_server)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


def _usage_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, Any]:
    code = run([*argv, "--json"])
    out = capsys.readouterr().out
    assert code == 2, (argv, out)
    document: dict[str, Any] = json.loads(out.splitlines()[-1])
    assert document["exitCode"] == 2 and document["type"] == "UsageError", document
    return document


def test_the_walk_finds_the_options() -> None:
    integers = {(" ".join(w), o) for w, o, _ in INTEGER_CASES}
    durations = {(" ".join(w), o) for w, o, _ in DURATION_CASES}
    assert ("remove-item", "--item-handle") in integers and ("advise", "--server-handle") in integers
    assert ("stream-events", "--max-events") in integers and ("simulate", "--port") in integers
    assert ("stream-events", "--timeout") in durations and ("ping", "--call-timeout") in durations
    assert ("smoke", "--timeout") in durations and ("ping", "--connect-timeout") in durations


@pytest.mark.parametrize(("words", "option", "others"), INTEGER_CASES, ids=lambda v: str(v))
def test_every_integer_option_refuses_what_is_not_an_integer(
    capsys: pytest.CaptureFixture[str], words: tuple[str, ...], option: str, others: list[str]
) -> None:
    for bad in BAD_INTEGERS:
        document = _usage_error(capsys, [*words, *others, option, bad, *UNREACHABLE])
        assert option in document["error"], document


@pytest.mark.parametrize(("words", "option", "others"), DURATION_CASES, ids=lambda v: str(v))
def test_every_duration_refuses_nan_infinities_and_non_positive(
    capsys: pytest.CaptureFixture[str], words: tuple[str, ...], option: str, others: list[str]
) -> None:
    for bad in BAD_DURATIONS:
        document = _usage_error(capsys, [*words, *others, option, bad, *UNREACHABLE])
        assert option in document["error"], document


def test_valid_numbers_still_parse(capsys: pytest.CaptureFixture[str]) -> None:
    # Reaching the (unreachable) gateway means the flags were accepted: exit 5.
    at = ["--endpoint", "127.0.0.1:1", "--plaintext", "--connect-timeout", "1e1", "--call-timeout", ".5"]
    item = ["--session-id", "s", "--server-handle", "+1", "--item-handle", "-0"]
    assert run(["remove-item", *item, *at, "--json"]) == 5
    assert json.loads(capsys.readouterr().out)["type"] == "GatewayUnavailableError"


def test_bulk_handle_lists_take_ascii_integers_only(capsys: pytest.CaptureFixture[str]) -> None:
    for handles in ("1,2.5", "1,\u0661\u0662\u0663", "1_0", "0x1"):
        argv = ["unsubscribe-bulk", "--session-id", "s", "--server-handle", "1", "--item-handles", handles]
        document = _usage_error(capsys, [*argv, *UNREACHABLE])
        assert "--item-handles" in document["error"]


@pytest.mark.parametrize("port", ["99999", "65536", "-1", "\u0661\u0662\u0663", "5000.0", "http"])
def test_simulate_refuses_a_port_out_of_range(capsys: pytest.CaptureFixture[str], port: str) -> None:
    document = _usage_error(capsys, ["simulate", "--port", port])
    assert "--port" in document["error"]


@pytest.mark.parametrize(
    "endpoint",
    ["127.0.0.1:\u0661\u0662\u0663", "localhost:\u0665\u0660\u0660\u0660", "localhost:5000x", "localhost:"],
)
def test_an_endpoint_port_must_be_ascii_digits(capsys: pytest.CaptureFixture[str], endpoint: str) -> None:
    document = _usage_error(capsys, ["ping", "--session-id", "s", "--endpoint", endpoint, "--plaintext"])
    assert "port" in document["error"]


def test_an_explicit_empty_endpoint_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MXGATEWAY_ENDPOINT", "127.0.0.1:1")
    for spelling in (["--endpoint", ""], ["--endpoint="], ["--endpoint", "  "]):
        document = _usage_error(capsys, ["ping", "--session-id", "s", *spelling, "--plaintext"])
        assert "--endpoint" in document["error"] and "empty" in document["error"]


def test_a_named_key_variable_that_is_not_set_is_said_at_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MXGW_TEST_UNSET_KEY_VAR", raising=False)
    document = _usage_error(
        capsys, ["ping", "--session-id", "s", "--api-key-env", "MXGW_TEST_UNSET_KEY_VAR", *UNREACHABLE]
    )
    assert document["error"] == "--api-key-env: environment variable MXGW_TEST_UNSET_KEY_VAR is not set"
    monkeypatch.setenv("MXGW_TEST_UNSET_KEY_VAR", "")
    document = _usage_error(
        capsys, ["ping", "--session-id", "s", "--api-key-env", "MXGW_TEST_UNSET_KEY_VAR", *UNREACHABLE]
    )
    assert "MXGW_TEST_UNSET_KEY_VAR is empty" in document["error"]


def test_the_default_key_variable_unset_means_no_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MXGATEWAY_API_KEY", raising=False)
    assert run(["ping", "--session-id", "s", *UNREACHABLE, "--json"]) == 5  # it got as far as connecting
    assert json.loads(capsys.readouterr().out)["type"] == "GatewayUnavailableError"
