"""The API key is masked under every spelling cyclopts accepts for --api-key and --api-key-env.

cyclopts matches an option with every ``_`` read as ``-`` (``--api_key``,
``-_api-key``, ``--api-key_env``, ...). Each spelling is tried in the
``--flag VALUE`` and ``--flag=VALUE`` forms, on lines cyclopts runs and on
lines it rejects with the key among the "Unused Tokens", in a single command
and inside ``batch``, in JSON and in text mode.
"""

from __future__ import annotations

import io
import itertools

import pytest

from mxgateway.testing import generate_api_key
from mxgateway_cli.app import run

KEY = generate_api_key("masking")
UNREACHABLE = ["--endpoint", "127.0.0.1:1", "--plaintext", "--connect-timeout", "2"]


def spellings(option: str) -> list[str]:
    """``option`` with each of its dashes written as ``-`` or ``_``."""
    dashes = [i for i, c in enumerate(option) if c == "-"]
    found = []
    for choice in itertools.product("-_", repeat=len(dashes)):
        letters = list(option)
        for index, char in zip(dashes, choice, strict=True):
            letters[index] = char
        found.append("".join(letters))
    return found


KEY_FLAGS = spellings("--api-key")
KEY_ENV_FLAGS = spellings("--api-key-env")


def test_the_spellings_include_the_ones_cyclopts_takes() -> None:
    assert {"--api-key", "--api_key", "-_api-key", "-_api_key"} <= set(KEY_FLAGS)
    assert {"--api-key-env", "--api_key_env", "--api-key_env"} <= set(KEY_ENV_FLAGS)
    assert len(KEY_FLAGS) == 8 and len(KEY_ENV_FLAGS) == 16


def _lines_with_the_key(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    monkeypatch.setenv("MXGW_MASKING_KEY", KEY)
    lines = []
    for flag in KEY_FLAGS:
        for given in ([flag, KEY], [f"{flag}={KEY}"]):
            lines.append(["open-session", *given, *UNREACHABLE])  # runs: cannot connect
            lines.append(["open-session", *given, KEY, *UNREACHABLE])  # the key again as a stray token
            lines.append(["open-session", *given, "stray", *UNREACHABLE])  # an Unused Tokens error
    for flag in KEY_ENV_FLAGS:
        for given in ([flag, "MXGW_MASKING_KEY"], [f"{flag}=MXGW_MASKING_KEY"]):
            lines.append(["open-session", *given, KEY, *UNREACHABLE])
            lines.append(["ping", "--session-id", KEY, *given, *UNREACHABLE])
    return lines


@pytest.mark.parametrize("json_mode", [True, False], ids=["json", "text"])
def test_no_spelling_prints_the_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, json_mode: bool
) -> None:
    monkeypatch.delenv("MXGATEWAY_API_KEY", raising=False)
    printed = []
    for argv in _lines_with_the_key(monkeypatch):
        code = run([*argv, *(["--json"] if json_mode else [])])
        captured = capsys.readouterr()
        assert code in (2, 5), (argv, captured)
        assert KEY not in captured.out + captured.err, argv
        printed.append(captured.out + captured.err)
    assert sum("***" in text for text in printed) >= len(printed) // 2  # the key was there to mask


def test_batch_lines_mask_every_spelling(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mxgateway.testing import run_simulator_in_thread

    monkeypatch.delenv("MXGATEWAY_API_KEY", raising=False)
    lines = [" ".join(argv[: argv.index("--endpoint")]) for argv in _lines_with_the_key(monkeypatch)]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n\n"))
    with run_simulator_in_thread() as sim:
        code = run(["batch", "--endpoint", sim.endpoint, "--plaintext"])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.count("__MXGW_BATCH_EOR__\n") == len(lines)
    assert KEY not in captured.out + captured.err


@pytest.mark.parametrize(
    "odd",
    ["\t", "\n", "\x00", "\u00e9", "'", "\\"],
    ids=["tab", "newline", "nul", "non-ascii", "quote", "backslash"],
)
def test_a_key_with_odd_characters_is_not_echoed_even_escaped(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, odd: str
) -> None:
    """grpclib refuses such a key with the key in its message (quoted with repr): masked in every form.

    (The library is to refuse such keys itself when options are built, with
    a ClientConfigError that never contains the key; either way exit 2.)
    """
    from mxgateway.testing import run_simulator_in_thread

    key = f"mxgw_oddkey{odd}Zq9Xw2Vb"
    givens = [["--api-key", key]]
    if odd != "\x00":  # an environment variable cannot hold a NUL
        monkeypatch.setenv("MXGW_ODD_KEY", key)
        givens.append(["--api-key-env", "MXGW_ODD_KEY"])
    with run_simulator_in_thread() as sim:
        at = ["--endpoint", sim.endpoint, "--plaintext"]
        for given in givens:
            for json_flag in (["--json"], []):
                code = run(["open-session", *at, *given, *json_flag])
                printed = "".join(capsys.readouterr())
                if odd in ("'", "\\"):
                    assert code == 0  # printable ASCII: a valid header value
                else:
                    assert code == 2, printed
                assert "Zq9Xw2Vb" not in printed and "oddkey" not in printed, printed
