"""Drive the simulator's GalaxyRepository with the raw generated grpclib stub."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from grpclib.client import Channel

from mxgateway.generated import galaxy_repository_grpc
from mxgateway.generated import galaxy_repository_pb2 as gr
from mxgateway.testing import Simulator, parse_galaxy
from tests.testing.raw import simulator

RepoStub = galaxy_repository_grpc.GalaxyRepositoryStub

# A small plant: two areas (one nested), equipment containing instruments,
# templates three deep, categories, and attributes with every kind of metadata.
PLANT = """
[users.operator]
password = "op-pass"

[categories]
Area = 13
Vessel = 20
Instrument = 23

[templates."$Area"]
category = "Area"

[templates."$Vessel"]
category = "Vessel"
[templates."$Vessel".attributes.Level]
type = "double"
initial = 40.0
writable = false
alarm_above = 90.0
historized = true
[templates."$Vessel".attributes.Name]
type = "string"
initial = "vessel"

[templates."$Tank"]
derived_from = "$Vessel"
[templates."$Tank".attributes."Trend[]"]
type = "int32"
initial = [1, 2, 3]
historized = true
[templates."$Tank".attributes.Limit]
type = "double"
initial = 5.0
security = "secured"

[templates."$Transmitter"]
category = "Instrument"
[templates."$Transmitter".attributes.PV]
type = "float"
initial = 1.5
historized = true
[templates."$Transmitter".attributes.Range]
type = "double"
initial = 100.0
security_classification = "configure"

[templates."$LevelTransmitter"]
derived_from = "$Transmitter"

[areas.Site]
template = "$Area"

[areas.North]
template = "$Area"
parent = "Site"

[objects.TankB]
template = "$Tank"
parent = "North"

[objects.TankA]
template = "$Tank"
parent = "North"
browse_name = "Tank A"

[objects.TankA_LT]
template = "$LevelTransmitter"
parent = "TankA"
contained_name = "LT"

[objects.Mixer]
template = "$Vessel"
parent = "North"
[objects.Mixer.attributes.Level]
alarm_above = 95.0

[objects.Spare]
parent = "Site"

[attributes."Loose.Count"]
type = "int64"
initial = 7
"""


def plant_simulator(**options: Any) -> contextlib.AbstractAsyncContextManager[Simulator]:
    """The raw-test simulator (timer off, fixed wall clock) on the PLANT galaxy."""
    options.setdefault("galaxy", parse_galaxy(PLANT))
    return simulator(**options)


@contextlib.asynccontextmanager
async def repository_for(sim: Simulator) -> AsyncIterator[RepoStub]:
    channel = Channel(sim.host, sim.port)
    try:
        yield RepoStub(channel)
    finally:
        channel.close()


async def browse(
    stub: RepoStub, metadata: dict[str, str] | None = None, **fields: Any
) -> gr.BrowseChildrenReply:
    return await stub.BrowseChildren(gr.BrowseChildrenRequest(**fields), metadata=metadata)


def tags(reply: gr.BrowseChildrenReply) -> list[str]:
    return [child.tag_name for child in reply.children]


async def browse_all(stub: RepoStub, page_size: int, **fields: Any) -> list[gr.BrowseChildrenReply]:
    """Every page of a browse, following next_page_token until it is empty (at most 1,000 pages)."""
    pages = [await browse(stub, page_size=page_size, **fields)]
    while pages[-1].next_page_token:
        assert len(pages) < 1_000
        pages.append(await browse(stub, page_size=page_size, page_token=pages[-1].next_page_token, **fields))
    return pages


async def hierarchy(stub: RepoStub, page_size: int = 0) -> list[gr.DiscoverHierarchyReply]:
    """Every page of DiscoverHierarchy (at most 1,000 pages)."""
    pages = [await stub.DiscoverHierarchy(gr.DiscoverHierarchyRequest(page_size=page_size))]
    while pages[-1].next_page_token:
        assert len(pages) < 1_000
        request = gr.DiscoverHierarchyRequest(page_size=page_size, page_token=pages[-1].next_page_token)
        pages.append(await stub.DiscoverHierarchy(request))
    return pages
