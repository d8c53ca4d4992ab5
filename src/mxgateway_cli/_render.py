"""Deterministic JSON for contract data: protobuf-JSON names, ISO 8601 UTC times."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from google.protobuf.message import Message

    from mxgateway import Event, MxStatus, ReadResult, SubscribeResult, WriteResult


def message_json(message: Message) -> dict[str, Any]:
    """protobuf JSON: camelCase names, enum value names, RFC 3339 UTC timestamps."""
    from google.protobuf import json_format

    document: dict[str, Any] = json_format.MessageToDict(message, preserving_proto_field_name=False)
    return document


def status_json(status: MxStatus) -> dict[str, Any]:
    return message_json(status.to_proto())


def event_json(event: Event) -> dict[str, Any]:
    if event.raw is None:  # SessionRecovered: made by the client, not a gateway message
        ids = {"oldSessionId": event.old_session_id, "newSessionId": event.new_session_id}
        return {"sessionRecovered": ids}
    return message_json(event.raw)


def subscribe_json(result: SubscribeResult) -> dict[str, Any]:
    return {
        "serverHandle": result.server_handle,
        "tagAddress": result.tag_address,
        "itemHandle": result.item_handle,
        "wasSuccessful": result.was_successful,
        "errorMessage": result.error_message,
    }


def write_json(result: WriteResult) -> dict[str, Any]:
    return {
        "itemHandle": result.item_handle,
        "wasSuccessful": result.was_successful,
        "errorMessage": result.error_message,
    }


def read_json(result: ReadResult) -> dict[str, Any]:
    return {
        "tagAddress": result.tag_address,
        "wasSuccessful": result.was_successful,
        "errorMessage": result.error_message,
        "wasCached": result.was_cached,
        "value": None if result.mx_value is None else message_json(result.mx_value.to_proto()),
        "quality": result.quality.raw,
        "qualityStatus": result.quality.status,
        "timestamp": None
        if result.timestamp is None
        else result.timestamp.isoformat().replace("+00:00", "Z"),
        "statuses": [status_json(s) for s in result.statuses],
    }
