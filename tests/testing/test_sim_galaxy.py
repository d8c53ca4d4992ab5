"""The galaxy file: types, change patterns, users, validation, the default galaxy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mxgateway._core.values import MxType, encode_value
from mxgateway.testing import Attribute, Galaxy, GalaxyError, load_galaxy, parse_galaxy
from mxgateway.testing._galaxy import DATA_TYPES


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


# ------------------------------------------------------------------ the hierarchy

HIERARCHY = """
[categories]
Area = 13
Pump = 21

[templates."$Area"]
category = "Area"

[templates."$Pump"]
category = "Pump"
[templates."$Pump".attributes.Running]
type = "bool"
initial = false
pattern = "toggle"
historized = true
[templates."$Pump".attributes.Speed]
type = "double"
initial = 10.0
alarm_above = 50.0

[templates."$FeedPump"]
derived_from = "$Pump"
[templates."$FeedPump".attributes.Speed]
initial = 20.0
[templates."$FeedPump".attributes."Curve[]"]
type = "float"
initial = [1.0, 2.0]

[areas.Plant]
template = "$Area"
id = 7

[objects.P1]
template = "$FeedPump"
parent = "Plant"
contained_name = "Pump"
[objects.P1.attributes.Speed]
max = 60.0

[objects.P1_M]
parent = "P1"
contained_name = "Motor"
browse_name = "Drive motor"

[attributes."P1_M.Amps"]
type = "float"
initial = 3
security = "secured"

[attributes."Loose.Thing"]
type = "string"
initial = "x"
"""


def test_templates_areas_and_objects_make_one_hierarchy() -> None:
    galaxy = parse_galaxy(HIERARCHY)
    objects = {o.tag_name: o for o in galaxy.objects}
    assert [o.gobject_id for o in galaxy.objects] == [1, 2, 3, 7]  # auto ids skip the explicit 7
    plant, pump, motor, loose = objects["Plant"], objects["P1"], objects["P1_M"], objects["Loose"]
    assert (plant.gobject_id, plant.is_area, plant.category_id, plant.template_chain) == (
        7,
        True,
        13,
        ("$Area",),
    )
    assert (pump.parent_gobject_id, pump.contained_path, pump.browse_name) == (7, "Plant/Pump", "Pump")
    assert pump.template_chain == ("$FeedPump", "$Pump") and pump.category_id == 21
    assert (motor.contained_path, motor.browse_name, motor.template_chain) == (
        "Plant/Pump/Motor",
        "Drive motor",
        (),
    )
    assert motor.attributes == ("P1_M.Amps",) and motor.category_id == 0
    assert (loose.parent_gobject_id, loose.contained_path, loose.attributes) == (0, "Loose", ("Loose.Thing",))
    assert pump.attributes == ("P1.Running", "P1.Speed", "P1.Curve[]")
    speed = galaxy.attributes["P1.Speed"]
    # The derived template's initial and the object's max lie over the base template's fields.
    assert (speed.initial, speed.maximum, speed.alarm_above, speed.is_alarm) == (20.0, 60.0, 50.0, True)
    running, curve, amps = (
        galaxy.attributes["P1.Running"],
        galaxy.attributes["P1.Curve[]"],
        galaxy.attributes["P1_M.Amps"],
    )
    assert (running.pattern, running.historized, running.is_alarm) == ("toggle", True, False)
    assert (curve.is_array, curve.array_dimension, curve.attribute_name, curve.object_name) == (
        True,
        2,
        "Curve",
        "P1",
    )
    assert (amps.security, amps.security_classification, amps.initial) == ("secured", 2, 3.0)
    assert galaxy.find("P1.Curve") == (curve, True)  # the runtime still wants the [] suffix
    # [attributes] entries come first, in file order, then the objects' own.
    assert list(galaxy.attributes)[:2] == ["P1_M.Amps", "Loose.Thing"]


def test_data_types_are_the_mxdatatype_numbers_values_carry() -> None:
    galaxy = load_galaxy()
    for attribute in galaxy.attributes.values():
        sample = attribute.initial[0] if isinstance(attribute.initial, list) else attribute.initial
        assert encode_value(sample, attribute.mx_type).data_type == attribute.data_type, attribute.name
    assert set(DATA_TYPES) == set(MxType)


def test_security_classification_and_security_default_from_each_other() -> None:
    def attribute(fields: str) -> Attribute:
        return _one(f'type = "double"\ninitial = 1.0\n{fields}')

    assert (attribute("").security, attribute("").security_classification) == ("free", 0)
    assert attribute('security = "verified"').security_classification == 3
    assert attribute('security_classification = "secured_write"').security == "secured"
    tuned = attribute('security_classification = "tune"')
    assert (tuned.security, tuned.security_classification) == ("free", 4)
    assert attribute('security_classification = "view_only"\nwritable = false').security_classification == 6


def test_objects_without_a_hierarchy_are_roots_of_their_own() -> None:
    built = Galaxy(
        attributes={"A.X": Attribute("A.X", MxType.INT32, 1), "B.Y": Attribute("B.Y", MxType.INT32, 2)},
        users={},
    )
    assert [(o.gobject_id, o.tag_name, o.attributes) for o in built.objects] == [
        (1, "A", ("A.X",)),
        (2, "B", ("B.Y",)),
    ]


_PUMP = '[templates."$P"]\n[templates."$P".attributes.S]\ntype = "int32"\ninitial = 1\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[areas.A]\ncolour = "red"', "area 'A': unknown field"),
        ('[objects.O]\nparent = "Nowhere"', "object 'O': parent 'Nowhere' is not a declared"),
        ('[objects.O]\ntemplate = "$None"', r"object 'O': template '\$None' is not defined"),
        ('[objects.O]\ncategory = "Nope"', "object 'O': category 'Nope' is not defined"),
        ("[objects.O]\nid = 0", "object 'O': id must be a positive integer"),
        ("[objects.O]\nid = 3\n[objects.P]\nid = 3", "object 'P': id 3 is already used by object 'O'"),
        ("[objects.O]\n[areas.o]", "the tag name is already used"),
        ('[objects.O]\n[areas.A]\nparent = "O"', "area 'A': an area's parent must be an area"),
        ('[objects.O]\nparent = "P"\n[objects.P]\nparent = "O"', "loop back"),
        ('[objects."Bad Name"]', "tag name 'Bad Name' must be non-empty"),
        ('[objects."T.X"]', "tag name 'T.X'"),
        ('[objects.O]\ncontained_name = ""', "contained name '' must be non-empty"),
        (
            '[areas.A]\n[objects.O]\nparent = "A"\n[objects.P]\nparent = "A"\ncontained_name = "o"',
            "contained path 'A/o'",
        ),
        ("[objects.O]\n[objects.O.attributes.X]\ncolour = 1", "object 'O' attribute 'X': unknown field"),
        ('[objects.O]\n[objects.O.attributes.X]\ntype = "int32"', "attribute 'O.X': initial value missing"),
        ('[templates."$T"]\nshape = "round"', r"template '\$T': unknown field"),
        ('[templates."$T"]\nderived_from = "$U"', r"template '\$T': derived_from '\$U' is not a template"),
        (
            '[templates."$T"]\nderived_from = "$U"\n[templates."$U"]\nderived_from = "$T"',
            "loops back to itself",
        ),
        (
            '[templates."$T"]\n[templates."$T".attributes.X]\nbogus = 1',
            r"template '\$T' attribute 'X': unknown",
        ),
        ("[categories]\nArea = -1", "category 'Area': its id must be a non-negative integer"),
        ('[categories]\nArea = "13"', "category 'Area'"),
        (
            _PUMP + '[objects.O]\ntemplate = "$P"\n[attributes."O.S"]\ninitial = 2',
            "'O.S' is also defined by its object",
        ),
        ('[attributes."Lonely"]\ninitial = 1.0', "attribute 'Lonely': name it Object.Attribute"),
        ('[attributes."A.X"]\ninitial = 1.0\n[attributes."A.X[]"]\ninitial = [1.0]', "also defined"),
        (
            '[objects.O]\ncontained_name = "A"\n[attributes."A.X"]\ninitial = 1.0',
            "root path 'A' is already used",
        ),
        ('[attributes."A.B"]\ninitial = 1.0\nhistorized = "yes"', "historized must be true or false"),
        (
            '[attributes."A.B"]\ninitial = 1.0\nsecurity_classification = "top"',
            "security_classification must be",
        ),
        (
            '[attributes."A.B"]\ninitial = 1.0\nsecurity_classification = "view_only"',
            "view_only needs writable",
        ),
        (
            '[attributes."A.B"]\ninitial = 1.0\nsecurity = "secured"\nsecurity_classification = "tune"',
            "does not agree",
        ),
        ('[attributes."A.B"]\ninitial = 1.0\nstep = "big"', "step must be a number"),
        ("[objects.O]", r"no \[attributes\]"),
        ('[attributes."A.B"]\ntype = "int32"\ninitial = "abc"', "attribute 'A.B': bad initial value"),
        ('[attributes."A.B"]\ntype = "float"\ninitial = 1e300', "bad initial value"),
        ('[attributes."A.B"]\ninitial = 1.0\nalarm_above = "high"', "alarm_above must be a number"),
        ('[users.x]\npassword = "p"\nid = "one"', "user 'x': id must be an integer"),
        ('users = "nobody"', r"\[users\] must be a table"),
    ],
)
def test_bad_hierarchies_are_rejected_naming_what_is_wrong(text: str, message: str) -> None:
    if "[attributes." not in text and "no \\[attributes" not in message:
        text += '\n[attributes."Some.Value"]\ninitial = 1.0\n'
    with pytest.raises(GalaxyError, match=message):
        parse_galaxy(text)


# What the default galaxy had before it grew a plant; tests and goldens rely on these.
_LEGACY_DEFAULT = """
[attributes."Object.Attribute"]
type = "int32"
initial = 0
pattern = "ramp"
step = 1
period_ms = 1000
min = 0
max = 1000000
[attributes."Tank1.Level"]
type = "double"
initial = 50.0
pattern = "random_walk"
step = 0.5
period_ms = 250
min = 0.0
max = 100.0
writable = false
alarm_above = 95.0
[attributes."Tank1.Setpoint"]
type = "float"
initial = 60.0
[attributes."Pump1.Running"]
type = "bool"
initial = false
pattern = "toggle"
period_ms = 5000
[attributes."Pump1.Description"]
type = "string"
initial = "Feed pump"
[attributes."Pump1.LastStart"]
type = "time"
initial = "2026-01-01T00:00:00Z"
[attributes."Pump1.RunTime"]
type = "elapsed_time"
initial = 0.0
pattern = "ramp"
step = 1.0
period_ms = 1000
[attributes."Tank1.History[]"]
type = "double"
initial = [10.0, 20.0, 30.0]
[attributes."Reactor1.TempLimit"]
type = "double"
initial = 120.0
security = "secured"
[attributes."Reactor1.Trip"]
type = "bool"
initial = false
security = "verified"
[attributes."Plant.Counter64"]
type = "int64"
initial = 5000000000
pattern = "ramp"
step = 1
period_ms = 1000
"""

_RUNTIME_FIELDS = (
    "mx_type",
    "initial",
    "pattern",
    "step",
    "period_ms",
    "minimum",
    "maximum",
    "writable",
    "security",
    "alarm_above",
)


def test_the_default_galaxy_keeps_every_attribute_it_had_with_the_same_behaviour() -> None:
    legacy, default = parse_galaxy(_LEGACY_DEFAULT), load_galaxy()
    legacy.reset(0.0)
    default.reset(0.0)
    for name, before in legacy.attributes.items():
        after = default.attributes[name]
        assert [getattr(after, f) for f in _RUNTIME_FIELDS] == [
            getattr(before, f) for f in _RUNTIME_FIELDS
        ], name
        assert [after.value_at(t / 4) for t in range(200)] == [before.value_at(t / 4) for t in range(200)], (
            name
        )


def test_every_attribute_of_the_default_galaxy_belongs_to_one_object_and_resolves() -> None:
    galaxy = load_galaxy()
    owners = [name for o in galaxy.objects for name in o.attributes]
    assert sorted(owners) == sorted(galaxy.attributes)  # each attribute exactly once
    for item in galaxy.objects:
        for name in item.attributes:
            attribute = galaxy.attributes[name]
            assert attribute.object_name == item.tag_name
            assert galaxy.find(name) == (attribute, False)


def test_replacing_a_galaxy_keeps_unchanged_attributes_running() -> None:
    galaxy = parse_galaxy(
        '[attributes."A.Ramp"]\ntype = "int32"\ninitial = 0\npattern = "ramp"\n[attributes."A.Other"]\ninitial = 1.0\n'
    )
    galaxy.reset(0.0)
    kept = galaxy.attributes["A.Ramp"]
    galaxy.replace_with(
        parse_galaxy(
            '[attributes."A.Ramp"]\ntype = "int32"\ninitial = 0\npattern = "ramp"\n[attributes."A.Other"]\ninitial = 2.0\n'
        ),
        10.0,
    )
    assert galaxy.attributes["A.Ramp"] is kept and kept.value_at(12.0) == 12  # still counting from 0 at t=0
    assert galaxy.attributes["A.Other"].value_at(12.0) == 2.0
