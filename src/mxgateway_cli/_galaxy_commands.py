"""``mxgw-py galaxy browse|hierarchy|test|deploy-time|watch-deploys``: the Galaxy repository.

Browse prints a tree for people and one JSON document for machines;
hierarchy and watch-deploys print NDJSON (one object or deploy per line,
flushed). Arguments are checked before connecting, so a bad one is a usage
error (exit 2) even with no gateway running.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from cyclopts import App, Parameter

from mxgateway_cli._commands import csv, csv_ints
from mxgateway_cli._connection import Connection, UsageError
from mxgateway_cli._flags import NO_CONNECTION, JsonFlag
from mxgateway_cli._inputs import Integer, Seconds
from mxgateway_cli._jobs import Action, Job, Output, PartialResult
from mxgateway_cli._render import format_time

if TYPE_CHECKING:
    from mxgateway import DeployEvent, GalaxyAttribute, GalaxyNode, GalaxyObject, GatewayClient

Result = tuple[dict[str, Any], str] | None
MAX_PAGE_SIZE = 5_000  # the contract's cap


class GalaxyUnreachableError(Exception):
    """``galaxy test``: the gateway answered, but cannot reach its Galaxy repository (exit 1)."""


# ---------------------------------------------------------------- rendering


def attribute_json(attribute: GalaxyAttribute) -> dict[str, Any]:
    return {
        "name": attribute.name,
        "fullReference": attribute.full_reference,
        "dataType": attribute.data_type,
        "isArray": attribute.is_array,
        "arrayDimension": attribute.array_dimension,
        "securityClassification": attribute.security_classification,
        "isHistorized": attribute.is_historized,
        "isAlarm": attribute.is_alarm,
    }


def object_json(obj: GalaxyObject) -> dict[str, Any]:
    """An object in a fixed key order; ``hasChildren`` only where the repository said."""
    document: dict[str, Any] = {
        "gobjectId": obj.gobject_id,
        "tagName": obj.tag_name,
        "containedName": obj.contained_name,
        "containedPath": obj.contained_path,
        "browseName": obj.browse_name,
        "templateChain": list(obj.template_chain),
        "categoryId": obj.category_id,
        "isArea": obj.is_area,
        "parentGobjectId": obj.parent_gobject_id,
    }
    if obj.has_children is not None:
        document["hasChildren"] = obj.has_children
    document["attributes"] = [attribute_json(a) for a in obj.attributes]
    return document


def deploy_json(event: DeployEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "deployTime": None if event.deploy_time is None else format_time(event.deploy_time),
    }


# ------------------------------------------------------------------ actions


def _no_negative(name: str, value: int) -> None:
    if value < 0:
        raise UsageError(f"{name} must not be negative")


def _checked_page_size(page_size: int | None) -> int | None:
    if page_size is not None and not 0 < page_size <= MAX_PAGE_SIZE:
        raise UsageError(f"--page-size must be 1-{MAX_PAGE_SIZE} (leave it out for the gateway's default)")
    return page_size


def check_action() -> Action:
    async def action(client: GatewayClient, out: Output) -> Result:
        if not await client.galaxy.test_connection():
            raise PartialResult(
                GalaxyUnreachableError("the gateway cannot reach its Galaxy repository"),
                {"command": "galaxy-test", "ok": False, "connected": False},
            )
        return {"command": "galaxy-test", "ok": True, "connected": True}, "galaxy repository: ok"

    return action


def deploy_time_action() -> Action:
    async def action(client: GatewayClient, out: Output) -> Result:
        moment = await client.galaxy.last_deploy_time()
        shown = None if moment is None else format_time(moment)
        document = {"command": "galaxy-deploy-time", "ok": True, "deployTime": shown}
        return document, shown or "the gateway does not say when the galaxy was deployed"

    return action


def browse_action(
    where: dict[str, Any], depth: int, filters: dict[str, Any], page_size: int | None
) -> Action:
    async def action(client: GatewayClient, out: Output) -> Result:
        start = client.galaxy.tree(**where, **filters, page_size=page_size)
        limit = depth or None
        tree = await _expanded(start, limit)
        lines: list[str] = []
        _tree_lines(tree, 0, lines)
        document = {"command": "galaxy-browse", "ok": True, "depth": depth, "objects": tree}
        return document, "\n".join(lines) if lines else "no objects"

    return action


async def _expanded(node: GalaxyNode, levels: int | None) -> list[dict[str, Any]]:
    """The children of ``node`` as JSON, each with its ``children`` while ``levels`` lasts."""
    found = []
    for child in await node.children():
        assert child.object is not None
        document = object_json(child.object)
        if levels is None or levels > 1:
            document["children"] = await _expanded(child, None if levels is None else levels - 1)
        found.append(document)
    return found


def _tree_lines(documents: list[dict[str, Any]], indent: int, lines: list[str]) -> None:
    """The tree for people: an object per line, its attributes below it, children indented."""
    pad = "  " * indent
    for document in documents:
        kind = "area" if document["isArea"] else (document["templateChain"] or ["object"])[0]
        unshown = document.get("hasChildren") and "children" not in document
        more = "  (+)" if unshown else ""  # has children below --depth
        lines.append(f"{pad}{document['tagName']}  [{kind}]  {document['containedPath']}{more}")
        lines.extend(f"{pad}    - {_attribute_text(a)}" for a in document["attributes"])
        _tree_lines(document.get("children", []), indent + 1, lines)


def _attribute_text(attribute: dict[str, Any]) -> str:
    flags = [attribute["dataType"] + ("[]" if attribute["isArray"] else "")]
    if attribute["securityClassification"] != "FREE_ACCESS":
        flags.append(attribute["securityClassification"])
    if attribute["isHistorized"]:
        flags.append("historized")
    if attribute["isAlarm"]:
        flags.append("alarm")
    return f"{attribute['fullReference']}  {' '.join(flags)}"


def hierarchy_action(page_size: int | None, json_mode: bool) -> Action:
    async def action(client: GatewayClient, out: Output) -> Result:
        import asyncio

        received = 0
        async with client.galaxy.hierarchy(page_size=page_size) as listing:
            try:
                async for page in listing.pages():
                    for obj in page:
                        if json_mode:
                            out.line(object_json(obj))
                        else:
                            out.text(f"{obj.contained_path}  {obj.tag_name}")
                    received += len(page)
            except (Exception, asyncio.CancelledError) as failure:
                cause = KeyboardInterrupt() if isinstance(failure, asyncio.CancelledError) else failure
                raise PartialResult(cause, {"received": received}) from None
        return None

    return action


def watch_action(max_events: int, timeout: float | None, json_mode: bool) -> Action:
    async def action(client: GatewayClient, out: Output) -> Result:
        import asyncio

        received = 0
        async with client.galaxy.watch_deploys() as deploys:
            try:
                async with asyncio.timeout(timeout):
                    async for event in deploys:
                        if json_mode:
                            out.line(deploy_json(event))
                        else:
                            out.text(f"deploy {event.sequence} at {deploy_json(event)['deployTime']}")
                        received += 1
                        if max_events and received >= max_events:
                            break
            except TimeoutError:
                pass  # reaching --timeout is success, as for the other streams
            except (Exception, asyncio.CancelledError) as failure:
                cause = KeyboardInterrupt() if isinstance(failure, asyncio.CancelledError) else failure
                raise PartialResult(cause, {"received": received}) from None
        return None

    return action


# ----------------------------------------------------------------- commands

PageSize = Annotated[
    Integer | None, Parameter(help=f"Objects per page, 1-{MAX_PAGE_SIZE} (default: the gateway's, 500).")
]
NdjsonFlag = Annotated[bool, Parameter(negative="", help="The same as --json: one JSON document per line.")]


def browse(
    parent: Annotated[
        str | None, Parameter(help="Tag name of the object whose children to list (default: the roots).")
    ] = None,
    *,
    connection: Connection = NO_CONNECTION,
    gobject_id: Annotated[Integer | None, Parameter(name="--id", help="The parent's gobject id.")] = None,
    path: Annotated[str | None, Parameter(help="The parent's contained path (Plant/TankFarm).")] = None,
    depth: Annotated[Integer, Parameter(help="Levels to list (0: all the way down).")] = 1,
    category_ids: Annotated[str | None, Parameter(help="Only these categories (13,20).")] = None,
    templates: Annotated[
        str | None, Parameter(help="Only objects with one of these templates in their chain ($Tank,$Pump).")
    ] = None,
    tag_glob: Annotated[str, Parameter(help="Only tag names matching this glob (*, ?, [...]).")] = "",
    alarm_bearing_only: Annotated[
        bool, Parameter(negative="", help="Only objects with alarm attributes (and only those).")
    ] = False,
    historized_only: Annotated[
        bool, Parameter(negative="", help="Only objects with historized attributes (and only those).")
    ] = False,
    attributes: Annotated[bool, Parameter(help="List each object's attributes.")] = True,
    page_size: PageSize = None,
    json_output: JsonFlag = False,
) -> Job:
    """List the children of a parent (default: the roots), --depth levels down; filters apply per level."""
    chosen = [given for given in (parent, gobject_id, path) if given is not None]
    if len(chosen) > 1:
        raise UsageError("name one parent: PARENT (a tag name), --id or --path")
    where: dict[str, Any] = {}
    if parent is not None:
        if not parent.strip():
            raise UsageError("PARENT is empty: leave it out for the roots")
        where["parent"] = parent
    elif gobject_id is not None:
        if gobject_id <= 0:
            raise UsageError("--id must be a positive gobject id")
        where["parent"] = gobject_id
    elif path is not None:
        if not path.strip():
            raise UsageError("--path is empty: leave it out for the roots")
        where["contained_path"] = path
    _no_negative("--depth", depth)
    filters: dict[str, Any] = {
        "category_ids": [] if category_ids is None else csv_ints(category_ids, "--category-ids"),
        "template_chain_contains": [] if templates is None else csv(templates, "--templates"),
        "tag_name_glob": tag_glob,
        "alarm_bearing_only": alarm_bearing_only,
        "historized_only": historized_only,
        "include_attributes": attributes,
    }
    for category in filters["category_ids"]:
        _no_negative("--category-ids", category)
    action = browse_action(where, depth, filters, _checked_page_size(page_size))
    return Job(action, connection, json_output)


def hierarchy(
    *,
    connection: Connection = NO_CONNECTION,
    page_size: PageSize = None,
    json_output: JsonFlag = False,
    ndjson: NdjsonFlag = False,
) -> Job:
    """Every deployed object with its attributes, all pages (NDJSON with --json: one object per line)."""
    json_mode = json_output or ndjson
    action = hierarchy_action(_checked_page_size(page_size), json_mode)
    return Job(action, connection, json_mode, ndjson=json_mode)


def check(*, connection: Connection = NO_CONNECTION, json_output: JsonFlag = False) -> Job:
    """Check that the gateway reaches its Galaxy repository (exit 1 if not)."""
    return Job(check_action(), connection, json_output)


def deploy_time(*, connection: Connection = NO_CONNECTION, json_output: JsonFlag = False) -> Job:
    """When the galaxy was last deployed."""
    return Job(deploy_time_action(), connection, json_output)


def watch_deploys(
    *,
    connection: Connection = NO_CONNECTION,
    max_events: Annotated[Integer, Parameter(help="Stop after this many deploys (0: no limit).")] = 0,
    timeout: Annotated[Seconds | None, Parameter(help="Stop after this many seconds (success).")] = None,
    json_output: JsonFlag = False,
    ndjson: NdjsonFlag = False,
) -> Job:
    """Print each deploy as it happens (NDJSON with --json) until Ctrl-C, --max-events or --timeout."""
    _no_negative("--max-events", max_events)
    json_mode = json_output or ndjson
    return Job(watch_action(max_events, timeout, json_mode), connection, json_mode, ndjson=json_mode)


GALAXY_COMMANDS = (
    (browse, "browse"),
    (hierarchy, "hierarchy"),
    (check, "test"),
    (deploy_time, "deploy-time"),
    (watch_deploys, "watch-deploys"),
)


def register_galaxy_commands(app: App, group: Any) -> None:
    """``galaxy`` as a sub-app of ``app`` in help panel ``group``."""
    galaxy = App(
        name="galaxy",
        help="The deployed objects and their attributes (admin scope): browse, hierarchy, test, "
        "deploy-time, watch-deploys.",
        group=group,
    )
    for function, name in GALAXY_COMMANDS:
        galaxy.command(function, name=name)
    app.command(galaxy)
