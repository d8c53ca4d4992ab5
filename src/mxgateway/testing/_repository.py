"""The simulated GalaxyRepository service: browse, the hierarchy, deploys, page tokens.

It serves the galaxy the MxAccessGateway service runs, so a browsed
attribute's ``full_reference`` is an item the simulator resolves. Every
call needs the ``admin`` scope: the contract lists scopes for the
MxAccessGateway calls only and "an admin scope for anything not listed".
"""

from __future__ import annotations

import asyncio
import base64
import fnmatch
import hashlib
import hmac
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from google.protobuf.message import Message
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.server import Stream

from mxgateway.generated import galaxy_repository_grpc
from mxgateway.generated import galaxy_repository_pb2 as pb
from mxgateway.testing._galaxy import DeployedObject, Galaxy, GalaxyError, parse_galaxy, read_galaxy_text
from mxgateway.testing._service import SimulatedGateway

DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 5_000
REPOSITORY_SCOPE = "admin"
_MAC_BYTES = 16

log = logging.getLogger("mxgateway.testing")


def page_size_of(requested: int) -> int:
    """The contract's paging: 0 is the server default, larger than the cap is the cap."""
    if requested < 0:
        raise GRPCError(Status.INVALID_ARGUMENT, f"page_size must not be negative (got {requested})")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


class PageTokens:
    """Opaque page tokens, signed with a key of this simulator run.

    A token names the deploy it was issued under and the request it pages
    (everything but the page size and token), so a forged one, one from
    another request and one from before a redeploy are all told apart.
    """

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or os.urandom(32)

    @staticmethod
    def query_of(method: str, request: Message) -> str:
        """What a token is bound to: the method and the request without its paging fields."""
        unpaged = type(request)()
        unpaged.CopyFrom(request)
        unpaged.ClearField("page_size")
        unpaged.ClearField("page_token")
        digest = hashlib.sha256(method.encode() + b"\0" + unpaged.SerializeToString(deterministic=True))
        return digest.hexdigest()[:32]

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def issue(self, query: str, deploy: int, offset: int) -> str:
        payload = f"{deploy}:{offset}:{query}".encode()
        return base64.urlsafe_b64encode(payload + self._mac(payload)).rstrip(b"=").decode("ascii")

    def offset(self, token: str, query: str, deploy: int) -> int:
        """Where the page a token asks for starts; INVALID_ARGUMENT for any token not issued for this."""
        if not token:
            return 0
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except ValueError:
            raw = b""
        payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
        if len(raw) <= _MAC_BYTES or not hmac.compare_digest(mac, self._mac(payload)):
            raise GRPCError(
                Status.INVALID_ARGUMENT,
                "page_token is not one this gateway issued (forged, corrupted or from an earlier run): "
                "start again without a page token",
            )
        issued_deploy, offset, issued_query = payload.decode().split(":")
        if issued_query != query:
            raise GRPCError(
                Status.INVALID_ARGUMENT,
                "page_token belongs to a different request: send the same parent and filters as for "
                "the first page",
            )
        if int(issued_deploy) != deploy:
            raise GRPCError(
                Status.INVALID_ARGUMENT,
                f"page_token is stale: the galaxy was redeployed (deploy {deploy}) after it was issued "
                f"(deploy {issued_deploy}): start again without a page token",
            )
        return int(offset)


def _attribute_message(galaxy: Galaxy, name: str) -> pb.GalaxyAttribute | None:
    attribute = galaxy.attributes.get(name)
    if attribute is None:
        return None
    return pb.GalaxyAttribute(
        name=attribute.attribute_name,
        full_reference=attribute.name,
        data_type=attribute.data_type,
        is_array=attribute.is_array,
        array_dimension=attribute.array_dimension,
        security_classification=attribute.security_classification,
        is_historized=attribute.historized,
        is_alarm=attribute.is_alarm,
    )


class _Index:
    """One deploy's hierarchy, indexed for browsing, with its messages built once."""

    def __init__(self, galaxy: Galaxy) -> None:
        objects = galaxy.objects
        self.by_id = {o.gobject_id: o for o in objects}
        self.by_tag = {o.tag_name.casefold(): o for o in objects}
        self.by_path = {o.contained_path.casefold(): o for o in objects}
        self.children: dict[int, list[DeployedObject]] = {}
        for item in objects:
            parent = item.parent_gobject_id if item.parent_gobject_id in self.by_id else 0
            self.children.setdefault(parent, []).append(item)
        for siblings in self.children.values():
            siblings.sort(key=lambda o: (o.contained_name.casefold(), o.gobject_id))
        self.attributes: dict[int, list[pb.GalaxyAttribute]] = {}
        self.bare: dict[int, pb.GalaxyObject] = {}
        self.full: dict[int, pb.GalaxyObject] = {}
        for item in objects:
            messages = [m for m in (_attribute_message(galaxy, n) for n in item.attributes) if m is not None]
            self.attributes[item.gobject_id] = messages
            bare = pb.GalaxyObject(
                gobject_id=item.gobject_id,
                tag_name=item.tag_name,
                contained_name=item.contained_name,
                contained_path=item.contained_path,
                browse_name=item.browse_name,
                template_chain=list(item.template_chain),
                category_id=item.category_id,
                is_area=item.is_area,
                parent_gobject_id=item.parent_gobject_id,
            )
            full = pb.GalaxyObject()
            full.CopyFrom(bare)
            full.attributes.extend(messages)
            self.bare[item.gobject_id], self.full[item.gobject_id] = bare, full
        # Parents before children: depth first, siblings in browse order.
        self.hierarchy: list[DeployedObject] = []
        pending = list(reversed(self.children.get(0, [])))
        while pending:
            item = pending.pop()
            self.hierarchy.append(item)
            pending.extend(reversed(self.children.get(item.gobject_id, [])))


def _matcher(request: pb.BrowseChildrenRequest) -> Callable[[DeployedObject], bool]:
    """The object filters of a browse; each one left empty lets everything through."""
    if any(c < 0 for c in request.category_ids):
        raise GRPCError(Status.INVALID_ARGUMENT, "category_ids must not be negative")
    if any(not t.strip() for t in request.template_chain_contains):
        raise GRPCError(Status.INVALID_ARGUMENT, "template_chain_contains holds an empty template name")
    categories = set(request.category_ids)
    templates = {t.casefold() for t in request.template_chain_contains}
    glob = re.compile(fnmatch.translate(request.tag_name_glob.casefold())) if request.tag_name_glob else None

    def matches(item: DeployedObject) -> bool:
        if categories and item.category_id not in categories:
            return False
        if templates and templates.isdisjoint(t.casefold() for t in item.template_chain):
            return False
        return glob is None or glob.match(item.tag_name.casefold()) is not None

    return matches


class SimulatedRepository(galaxy_repository_grpc.GalaxyRepositoryBase):
    """GalaxyRepository over the gateway's galaxy; ``deploy()`` is a redeploy."""

    def __init__(self, gateway: SimulatedGateway, tokens: PageTokens | None = None) -> None:
        self._gateway = gateway
        self._tokens = tokens or PageTokens()
        self._index = _Index(gateway.galaxy)
        self._watchers: list[asyncio.Queue[pb.DeployEvent]] = []
        self.deploy_sequence = 1  # the start is the first deploy
        self.deploy_time = gateway.wall_clock()
        self.deploy_streams_open = 0

    def deploy(self, galaxy: Galaxy | None = None) -> pb.DeployEvent:
        """Deploy ``galaxy`` (or the running one again); every deploy watcher gets the event."""
        if galaxy is not None:
            self._gateway.galaxy.replace_with(galaxy, self._gateway.clock())
        self._index = _Index(self._gateway.galaxy)
        self.deploy_sequence += 1
        self.deploy_time = self._gateway.wall_clock()
        event = self._event()
        for watcher in self._watchers:
            watcher.put_nowait(event)
        return event

    def _event(self) -> pb.DeployEvent:
        event = pb.DeployEvent(sequence=self.deploy_sequence)
        event.deploy_time.FromDatetime(self.deploy_time)
        return event

    async def _begin(self, method: str, stream: Stream[Any, Any]) -> Any:
        gateway = self._gateway
        gateway.auth.check(gateway._record(method, stream), REPOSITORY_SCOPE)
        request = await stream.recv_message()
        if gateway.reply_delay:
            await asyncio.sleep(gateway.reply_delay)
        return request

    def _page(
        self, method: str, request: Any, items: list[DeployedObject]
    ) -> tuple[list[DeployedObject], str]:
        size = page_size_of(request.page_size)
        query = PageTokens.query_of(method, request)
        start = self._tokens.offset(request.page_token, query, self.deploy_sequence)
        end = start + size
        token = self._tokens.issue(query, self.deploy_sequence, end) if end < len(items) else ""
        return items[start:end], token

    # --------------------------------------------------------------- RPCs

    async def TestConnection(self, stream: Stream[pb.TestConnectionRequest, pb.TestConnectionReply]) -> None:
        await self._begin("TestConnection", stream)
        await stream.send_message(pb.TestConnectionReply(ok=True))

    async def GetLastDeployTime(
        self, stream: Stream[pb.GetLastDeployTimeRequest, pb.GetLastDeployTimeReply]
    ) -> None:
        await self._begin("GetLastDeployTime", stream)
        reply = pb.GetLastDeployTimeReply()
        reply.deploy_time.FromDatetime(self.deploy_time)
        await stream.send_message(reply)

    async def DiscoverHierarchy(
        self, stream: Stream[pb.DiscoverHierarchyRequest, pb.DiscoverHierarchyReply]
    ) -> None:
        request = await self._begin("DiscoverHierarchy", stream)
        index = self._index
        page, token = self._page("DiscoverHierarchy", request, index.hierarchy)
        reply = pb.DiscoverHierarchyReply(next_page_token=token)
        reply.objects.extend(index.full[item.gobject_id] for item in page)
        await stream.send_message(reply)

    async def BrowseChildren(self, stream: Stream[pb.BrowseChildrenRequest, pb.BrowseChildrenReply]) -> None:
        request: pb.BrowseChildrenRequest = await self._begin("BrowseChildren", stream)
        index = self._index
        parent_id = self._parent_of(request, index)
        matches = _matcher(request)
        alarm_only, historized_only = request.alarm_bearing_only, request.historized_only

        def wanted(attribute: pb.GalaxyAttribute) -> bool:
            return (attribute.is_alarm or not alarm_only) and (attribute.is_historized or not historized_only)

        picked = [
            item
            for item in index.children.get(parent_id, [])
            if matches(item)
            and (not (alarm_only or historized_only) or any(map(wanted, index.attributes[item.gobject_id])))
        ]
        page, token = self._page("BrowseChildren", request, picked)
        # Unset means include: the field has presence so that leaving it out can differ from false.
        include = request.include_attributes if request.HasField("include_attributes") else True
        reply = pb.BrowseChildrenReply(next_page_token=token)
        for item in page:
            if not include:
                reply.children.append(index.bare[item.gobject_id])
            elif alarm_only or historized_only:
                child = reply.children.add()
                child.CopyFrom(index.bare[item.gobject_id])
                child.attributes.extend(filter(wanted, index.attributes[item.gobject_id]))
            else:
                reply.children.append(index.full[item.gobject_id])
            reply.child_has_children.append(item.gobject_id in index.children)
        await stream.send_message(reply)

    @staticmethod
    def _parent_of(request: pb.BrowseChildrenRequest, index: _Index) -> int:
        """The gobject id whose children are browsed (0: the roots)."""
        which = request.WhichOneof("parent")
        if which is None:
            return 0
        if which == "parent_gobject_id":
            if request.parent_gobject_id == 0:
                return 0
            if request.parent_gobject_id not in index.by_id:
                raise GRPCError(Status.NOT_FOUND, f"no object with gobject id {request.parent_gobject_id}")
            return request.parent_gobject_id
        name = getattr(request, which)
        what = "tag name" if which == "parent_tag_name" else "contained path"
        if not name:
            raise GRPCError(
                Status.INVALID_ARGUMENT, f"the parent {what} is empty: leave the parent out for the roots"
            )
        found = (index.by_tag if which == "parent_tag_name" else index.by_path).get(name.casefold())
        if found is None:
            raise GRPCError(Status.NOT_FOUND, f"no object with {what} {name!r} in the galaxy")
        return found.gobject_id

    async def WatchDeployEvents(self, stream: Stream[pb.WatchDeployEventsRequest, pb.DeployEvent]) -> None:
        await self._begin("WatchDeployEvents", stream)
        watcher: asyncio.Queue[pb.DeployEvent] = asyncio.Queue()
        self._watchers.append(watcher)
        self._streams_moved(+1)
        try:
            while True:
                await stream.send_message(await watcher.get())
        finally:
            self._watchers.remove(watcher)
            self._streams_moved(-1)

    def _streams_moved(self, delta: int) -> None:
        self.deploy_streams_open += delta
        self._gateway.stats.changed()


class GalaxyFileWatch:
    """Notices when the galaxy file changes on disk and parses the new version.

    A change is a new modification time, size or inode, and then different
    text. A file that no longer reads or parses is logged and ignored (the
    deployed galaxy stays) until it changes again.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._signature = self._stat()  # before reading: a change while reading is seen next time
        self._text = read_galaxy_text(self.path)
        self.galaxy = parse_galaxy(self._text)

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            found = os.stat(self.path)
        except OSError:
            return None
        return found.st_mtime_ns, found.st_size, found.st_ino

    def check(self) -> Galaxy | None:
        """The new galaxy if the file changed into a valid one since the last check, else None."""
        signature = self._stat()
        if signature == self._signature:
            return None
        self._signature = signature
        try:
            text = read_galaxy_text(self.path)
            if text == self._text:
                return None
            galaxy = parse_galaxy(text)
        except GalaxyError as exc:
            log.warning(
                "galaxy file %s changed but cannot be deployed; the old galaxy stays: %s", self.path, exc
            )
            return None
        self._text = text
        self.galaxy = galaxy
        return galaxy
