# Regenerates src/mxgateway/generated from proto/*.proto.
# The work is done by tools/generate_proto.py (the same generator that the
# tox "proto" env and the drift test run); this script is the Windows entry.
$ErrorActionPreference = "Stop"
$root = Split-Path -Parent $MyInvocation.MyCommand.Path
$python = if ($env:PYTHON) { $env:PYTHON } else { "python" }
& $python (Join-Path $root "tools/generate_proto.py") @args
exit $LASTEXITCODE
