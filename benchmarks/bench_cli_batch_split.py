"""How long splitting one long ``mxgw-py batch`` line takes: shlex.split against split_words.

Prints seconds per line length for a line with one long word (a pasted
value) and for one long double-quoted word with spaces. shlex grows each
word one character at a time, so its time grows with the square of the
word; split_words matches whole pieces and joins each word once.

    python benchmarks/bench_cli_batch_split.py [--sizes 100000,250000,500000,1000000]
"""

from __future__ import annotations

import argparse
import shlex
import time
from collections.abc import Callable

from mxgateway_cli._split import split_words


def seconds(split: Callable[[str], list[str]], line: str) -> float:
    start = time.perf_counter()
    split(line)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,250000,500000,1000000")
    parser.add_argument("--shlex-budget", type=float, default=30.0, help="stop timing shlex past this")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'line':<28}{'characters':>12}{'shlex.split s':>16}{'split_words s':>16}")
    for shape, make in (
        ("one bare word", lambda n: "ping --session-id " + "a" * n),
        ("one quoted word with spaces", lambda n: 'ping --session-id "' + "a " * (n // 2) + '"'),
    ):
        shlex_slow = False
        for size in sizes:
            line = make(size)
            ours = seconds(split_words, line)
            theirs = None if shlex_slow else seconds(shlex.split, line)
            if theirs is not None and theirs > args.shlex_budget / 4:
                shlex_slow = True  # the next size would take about four times as long
            shown = "skipped" if theirs is None else f"{theirs:.3f}"
            print(f"{shape:<28}{len(line):>12}{shown:>16}{ours:>16.4f}")


if __name__ == "__main__":
    main()
