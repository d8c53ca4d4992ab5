"""smoke is read-only unless --write; a write that fails in OnWriteComplete is an MXAccess failure."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from mxgateway import MxAccessError, decode_event
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from mxgateway.testing import ThreadedSimulator, run_simulator_in_thread
from mxgateway_cli.app import run
from tests.support.fake_gateway import FakeGateway, run_fake_gateway

E_FAIL = -2147467259  # 0x80004005
READ_ONLY_STEPS = ["open-session", "register", "add-item", "advise", "stream-events", "close-session"]


@pytest.fixture(scope="module")
def sim() -> Iterator[ThreadedSimulator]:
    with run_simulator_in_thread() as simulator:
        yield simulator


def failed_write_complete(sequence: int, item_handle: int) -> pb.MxEvent:
    event = pb.MxEvent(
        worker_sequence=sequence,
        family=pb.MX_EVENT_FAMILY_ON_WRITE_COMPLETE,
        server_handle=1,
        item_handle=item_handle,
        hresult=E_FAIL,
    )
    event.on_write_complete.statuses.add(
        success=0,
        category=pb.MX_STATUS_CATEGORY_SECURITY_ERROR,
        detected_by=pb.MX_STATUS_SOURCE_RESPONDING_AUTOMATION_OBJECT,
        detail=321,
    )
    return event


def test_raise_for_failure_keeps_hresult_statuses_and_the_event() -> None:
    event = decode_event(failed_write_complete(9, 2))
    with pytest.raises(MxAccessError) as caught:
        event.raise_for_failure()  # type: ignore[union-attr]
    error = caught.value
    assert error.hresult == E_FAIL and error.reply is event.raw
    assert [s.detail for s in error.statuses] == [321]
    assert "0x80004005" in str(error) and "item 2" in str(error)
    succeeded = pb.MxEvent(worker_sequence=1, family=pb.MX_EVENT_FAMILY_ON_WRITE_COMPLETE)
    succeeded.on_write_complete.statuses.add(success=1, category=pb.MX_STATUS_CATEGORY_OK)
    decode_event(succeeded).raise_for_failure()  # type: ignore[union-attr]


def test_smoke_does_not_write_unless_asked(
    sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    at = ["--endpoint", sim.endpoint, "--plaintext", "--json"]
    before = sim.statistics()["calls"].get("Invoke", 0)
    assert run(["smoke", "--timeout", "10", *at]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [s["step"] for s in document["steps"]] == READ_ONLY_STEPS
    # register, add-item, advise and nothing else went to the worker
    assert sim.statistics()["calls"]["Invoke"] - before == 3


@pytest.mark.parametrize(
    "flags", [["--value", "5"], ["--type", "int32"], ["--value", "5", "--type", "int32"]]
)
def test_value_and_type_without_write_are_usage_errors(
    capsys: pytest.CaptureFixture[str], flags: list[str]
) -> None:
    assert run(["smoke", "--simulate", *flags, "--json"]) == 2
    assert "--write" in json.loads(capsys.readouterr().out)["error"]


def test_a_write_that_fails_in_on_write_complete_is_an_mxaccess_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    gateway: FakeGateway
    with run_fake_gateway() as gateway:
        # The fake's add-item gives handle 2; its stream sends a value, then a
        # failed OnWriteComplete for that item.
        gateway.service.events = [gateway.event(1, value=5), failed_write_complete(2, 2)]
        code = run(
            ["smoke", "--write", "--timeout", "10", "--endpoint", gateway.endpoint, "--plaintext", "--json"]
        )
        writes = [
            c for c in gateway.calls("Invoke") if c.request.command.WhichOneof("payload") == "write_command"
        ]
    document = json.loads(capsys.readouterr().out)
    assert code == 1 and document["exitCode"] == 1
    assert (document["command"], document["ok"], document["type"]) == ("smoke", False, "MxAccessError")
    assert document["hresult"] == E_FAIL
    assert [(s["category"], s["detail"]) for s in document["statuses"]] == [
        ("MX_STATUS_CATEGORY_SECURITY_ERROR", 321)
    ]
    assert [s["step"] for s in document["steps"]][-3:] == ["write", "error", "close-session"]
    assert document["steps"][-2]["type"] == "MxAccessError"
    assert len(writes) == 1 and writes[0].request.command.write_command.value.int32_value == 6
