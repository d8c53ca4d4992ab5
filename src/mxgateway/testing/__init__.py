"""A simulated MXAccess Gateway for tests and demos (in the spirit of trio.testing).

It is a real grpclib server implementing the whole ``MxAccessGateway``
service on loopback, with MXAccess semantics and a small simulated galaxy:

- ``serve_simulator(...)``: an asyncio async context manager (port 0 by default);
- ``run_simulator_in_thread(...)``: the same on a helper thread, for Trio code,
  synchronous code and the CLI;
- ``serve_forever(...)``: what ``mxgw-py simulate`` runs.
"""

from mxgateway.testing._auth import SCOPES, generate_api_key
from mxgateway.testing._certs import TestCertificates, make_test_certificates
from mxgateway.testing._galaxy import Attribute, Galaxy, GalaxyError, load_galaxy, parse_galaxy
from mxgateway.testing._server import (
    Simulator,
    ThreadedSimulator,
    run_simulator_in_thread,
    serve_forever,
    serve_simulator,
)
from mxgateway.testing._service import SimulatorSettings

__all__ = [
    "SCOPES",
    "Attribute",
    "Galaxy",
    "GalaxyError",
    "Simulator",
    "SimulatorSettings",
    "TestCertificates",
    "ThreadedSimulator",
    "generate_api_key",
    "load_galaxy",
    "make_test_certificates",
    "parse_galaxy",
    "run_simulator_in_thread",
    "serve_forever",
    "serve_simulator",
]
