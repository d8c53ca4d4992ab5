"""Generated protobuf and grpclib bindings. Do not edit: run tools/generate_proto.py."""
