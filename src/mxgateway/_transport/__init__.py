"""The asyncio side both front ends share: the grpclib channel and server-stream readers."""
