"""Protocol facts of the bindings, importable without protobuf or grpclib."""

# The gateway protocol version that src/mxgateway/generated speaks: 1 was the
# core contract, 3 added the alarm RPCs.
GATEWAY_PROTOCOL_VERSION = 3

# Both directions, matching the gateway's limit.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
