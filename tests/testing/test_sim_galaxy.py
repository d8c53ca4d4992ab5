"""The galaxy file: types, change patterns, users, validation, the default galaxy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mxgateway._core.values import MxType
from mxgateway.testing import Attribute, GalaxyError, load_galaxy, parse_galaxy


def _one(spec: str, name: str = "A.B") -> Attribute:
    galaxy = parse_galaxy(f'[attributes."{name}"]\n{spec}\n')
    galaxy.reset(0.0)
    return galaxy.attributes[name]


def test_types_and_initial_values() -> None:
    galaxy = parse_galaxy(
        """
        [attributes."T.Time"]
        type = "time"
        initial = "2026-01-01T00:00:00Z"
        [attributes."T.Literal"]
        type = "time"
        initial = 2026-02-03T04:05:06
        [attributes."T.Elapsed"]
        type = "elapsed_time"
        initial = 90
        [attributes."T.Float"]
        type = "float"
        initial = 3
        [attributes."T.Big"]
        type = "int64"
        initial = 5000000000
        [attributes."T.Words[]"]
        type = "string"
        initial = ["a", "b"]
        """
    )
    values = {name: attribute.initial for name, attribute in galaxy.attributes.items()}
    assert values == {
        "T.Time": datetime(2026, 1, 1, tzinfo=UTC),
        "T.Literal": datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
        "T.Elapsed": timedelta(seconds=90),
        "T.Float": 3.0,
        "T.Big": 5_000_000_000,
        "T.Words[]": ["a", "b"],
    }
    assert isinstance(values["T.Float"], float)
    assert galaxy.attributes["T.Words[]"].is_array and galaxy.attributes["T.Big"].mx_type is MxType.INT64
    assert galaxy.find("T.Words") == (galaxy.attributes["T.Words[]"], True)  # the missing [] is noticed
    assert galaxy.find("T.Nothing") == (None, False)


def test_change_patterns_follow_the_clock() -> None:
    ramp = _one('type = "int32"\ninitial = 8\npattern = "ramp"\nstep = 1\nperiod_ms = 500\nmin = 0\nmax = 10')
    assert [ramp.value_at(t) for t in (0.0, 0.49, 0.5, 1.0, 1.5, 2.0)] == [8, 8, 9, 0, 1, 2]
    toggle = _one('type = "bool"\ninitial = false\npattern = "toggle"\nperiod_ms = 1000')
    assert [toggle.value_at(t) for t in (0.0, 1.0, 2.0, 3.5)] == [False, True, False, True]
    constant = _one('type = "string"\ninitial = "x"\npattern = "constant"')
    assert constant.value_at(1e6) == "x"
    elapsed = _one('type = "elapsed_time"\ninitial = 0\npattern = "ramp"\nstep = 2\nperiod_ms = 1000')
    assert elapsed.value_at(3.0) == timedelta(seconds=6)


def test_random_walks_repeat_and_stay_within_bounds() -> None:
    spec = 'type = "double"\ninitial = 1.0\npattern = "random_walk"\nstep = 0.5\nperiod_ms = 100\nmin = 0.0\nmax = 2.0'
    first, second = _one(spec), _one(spec)
    walk = [first.value_at(t / 10) for t in range(60)]
    assert walk == [second.value_at(t / 10) for t in range(60)]
    assert all(0.0 <= value <= 2.0 for value in walk)  # type: ignore[operator]
    assert len(set(walk)) > 1


def test_a_write_restarts_the_pattern_from_the_written_value() -> None:
    ramp = _one('type = "int32"\ninitial = 0\npattern = "ramp"\nstep = 1\nperiod_ms = 1000')
    assert ramp.value_at(5.0) == 5
    ramp.write(100, 5.0)
    assert [ramp.value_at(5.0), ramp.value_at(7.0)] == [100, 102]


def test_users_get_ids() -> None:
    galaxy = parse_galaxy(
        '[users.zed]\npassword = "z"\n[users.amy]\npassword = "a"\nid = 42\n'
        '[attributes."A.B"]\ntype = "int32"\ninitial = 1\n'
    )
    assert galaxy.users == {"amy": ("a", 42), "zed": ("z", 102)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[attributes."A.B"]\ntype = "int32"\ninitial = 1\ncolour = "red"', "unknown field"),
        ('[attributes."A.B"]\ntype = "decimal"\ninitial = 1', "A.B"),
        ('[attributes."A.B"]\ntype = "int32"\ninitial = 1\npattern = "sine"', "pattern"),
        ('[attributes."A.B"]\ntype = "int32"\ninitial = 1\nsecurity = "secret"', "security"),
        ('[attributes."A.B"]\ntype = "int32"', "initial value missing"),
        ('[attributes."A.B"]\ntype = "bool"\ninitial = 1', "true or false"),
        ('[attributes."A.B"]\ntype = "int32"\ninitial = 1\nperiod_ms = 0', "period_ms"),
        ('[attributes."A.B[]"]\ntype = "int32"\ninitial = 1', r"\[\]"),
        ('[attributes."A.B"]\ntype = "time"\ninitial = "yesterday"', "bad initial value"),
        ("[attributes", "not valid TOML"),
        ("[users.x]\npassword = 'p'", "no \\[attributes\\]"),
        ('[users.x]\nid = 1\n[attributes."A.B"]\ninitial = 1.0', "password missing"),
    ],
)
def test_invalid_files_are_rejected_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(GalaxyError, match=message):
        parse_galaxy(text)


def test_the_default_galaxy_has_what_the_docs_promise() -> None:
    galaxy = load_galaxy()
    galaxy.reset(0.0)
    attributes = galaxy.attributes
    example = attributes["Object.Attribute"]
    assert (example.mx_type, example.writable, example.security) == (MxType.INT32, True, "free")
    assert example.value_at(0.0) != example.value_at(5.0)  # it changes over time
    assert attributes["Tank1.History[]"].is_array
    assert attributes["Pump1.Running"].pattern == "toggle"
    assert {a.security for a in attributes.values()} == {"free", "secured", "verified"}
    assert any(not a.writable for a in attributes.values())
    assert any(a.alarm_above is not None for a in attributes.values())
    assert {a.mx_type for a in attributes.values()} == set(MxType)
    assert {name: password for name, (password, _) in galaxy.users.items()} == {
        "operator": "operator-pass",
        "supervisor": "supervisor-pass",
    }
