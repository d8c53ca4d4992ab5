"""Reply checking and command building (quality, statuses and events have their own test modules)."""

from __future__ import annotations

import pytest

from mxgateway import (
    MxAccessError,
    ProtocolStatusError,
)
from mxgateway._core import commands, replies
from mxgateway.generated import mxaccess_gateway_pb2 as pb


def _reply(code: int, *statuses: pb.MxStatusProxy, hresult: int = 0) -> pb.MxCommandReply:
    return pb.MxCommandReply(
        kind=pb.MX_COMMAND_KIND_WRITE,
        protocol_status=pb.ProtocolStatus(code=code, message="m"),  # type: ignore[arg-type]
        hresult=hresult,
        statuses=list(statuses),
    )


def test_check_reply_layers() -> None:
    ok = _reply(pb.PROTOCOL_STATUS_CODE_OK, pb.MxStatusProxy(success=0))
    assert replies.check_reply(ok) is ok
    with pytest.raises(MxAccessError, match="HRESULT 0x80004005"):
        replies.check_reply(_reply(pb.PROTOCOL_STATUS_CODE_OK, hresult=-2147467259))
    with pytest.raises(ProtocolStatusError) as not_ready:
        replies.check_reply(_reply(pb.PROTOCOL_STATUS_CODE_SESSION_NOT_READY))
    assert not_ready.value.code == "SESSION_NOT_READY" and not isinstance(not_ready.value, MxAccessError)
    with pytest.raises(ProtocolStatusError) as unspecified:
        replies.check_reply(_reply(pb.PROTOCOL_STATUS_CODE_UNSPECIFIED))
    assert unspecified.value.code == "UNSPECIFIED"


def test_failure_text_says_a_repeated_diagnostic_once() -> None:
    read_only = pb.MxStatusProxy(
        category=pb.MX_STATUS_CATEGORY_OPERATIONAL_ERROR, detail=1012, diagnostic_text="Tank1.Level is read-only"
    )
    repeated = _reply(pb.PROTOCOL_STATUS_CODE_OK, read_only, hresult=-2147220992)
    repeated.diagnostic_message = "Tank1.Level is read-only"
    with pytest.raises(MxAccessError) as once:
        replies.check_reply(repeated)
    assert str(once.value).count("Tank1.Level is read-only") == 1
    distinct = _reply(pb.PROTOCOL_STATUS_CODE_OK, read_only, hresult=-2147220992)
    distinct.diagnostic_message = "the worker refused the write"
    with pytest.raises(MxAccessError) as both:
        replies.check_reply(distinct)
    assert "Tank1.Level is read-only" in str(both.value) and "the worker refused the write" in str(both.value)


def test_missing_payload_is_a_protocol_violation() -> None:
    reply = _reply(pb.PROTOCOL_STATUS_CODE_OK)
    with pytest.raises(ProtocolStatusError, match="register"):
        replies.server_handle(reply)


def test_command_builders_set_kind_by_name_and_validate() -> None:
    command = commands.item_command("unadvise", 1, 2)
    assert (
        command.kind == pb.MX_COMMAND_KIND_UN_ADVISE and command.WhichOneof("payload") == "un_advise_command"
    )
    for bad in (0, -1, 2**31, True, "1"):
        with pytest.raises(ValueError, match="server_handle"):
            commands.unregister(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not one string"):
        commands.tag_bulk("subscribe_bulk", 1, "A.B")
    with pytest.raises(ValueError, match="tuple of 2"):
        commands.write_bulk(1, [(1,)])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="timezone-aware"):
        commands.write(1, 2, 3, timestamp="2026-01-01")  # type: ignore[arg-type]
