import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TestConnectionRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TestConnectionReply(_message.Message):
    __slots__ = ("ok",)
    OK_FIELD_NUMBER: _ClassVar[int]
    ok: bool
    def __init__(self, ok: _Optional[bool] = ...) -> None: ...

class GetLastDeployTimeRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetLastDeployTimeReply(_message.Message):
    __slots__ = ("deploy_time",)
    DEPLOY_TIME_FIELD_NUMBER: _ClassVar[int]
    deploy_time: _timestamp_pb2.Timestamp
    def __init__(self, deploy_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DiscoverHierarchyRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class DiscoverHierarchyReply(_message.Message):
    __slots__ = ("objects", "next_page_token")
    OBJECTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    objects: _containers.RepeatedCompositeFieldContainer[GalaxyObject]
    next_page_token: str
    def __init__(self, objects: _Optional[_Iterable[_Union[GalaxyObject, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class WatchDeployEventsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeployEvent(_message.Message):
    __slots__ = ("sequence", "deploy_time")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    DEPLOY_TIME_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    deploy_time: _timestamp_pb2.Timestamp
    def __init__(self, sequence: _Optional[int] = ..., deploy_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GalaxyAttribute(_message.Message):
    __slots__ = ("name", "full_reference", "data_type", "is_array", "array_dimension", "security_classification", "is_historized", "is_alarm")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FULL_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    IS_ARRAY_FIELD_NUMBER: _ClassVar[int]
    ARRAY_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    SECURITY_CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    IS_HISTORIZED_FIELD_NUMBER: _ClassVar[int]
    IS_ALARM_FIELD_NUMBER: _ClassVar[int]
    name: str
    full_reference: str
    data_type: int
    is_array: bool
    array_dimension: int
    security_classification: int
    is_historized: bool
    is_alarm: bool
    def __init__(self, name: _Optional[str] = ..., full_reference: _Optional[str] = ..., data_type: _Optional[int] = ..., is_array: _Optional[bool] = ..., array_dimension: _Optional[int] = ..., security_classification: _Optional[int] = ..., is_historized: _Optional[bool] = ..., is_alarm: _Optional[bool] = ...) -> None: ...

class GalaxyObject(_message.Message):
    __slots__ = ("gobject_id", "tag_name", "contained_name", "contained_path", "browse_name", "template_chain", "category_id", "is_area", "parent_gobject_id", "attributes")
    GOBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    TAG_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTAINED_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTAINED_PATH_FIELD_NUMBER: _ClassVar[int]
    BROWSE_NAME_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_CHAIN_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    IS_AREA_FIELD_NUMBER: _ClassVar[int]
    PARENT_GOBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    gobject_id: int
    tag_name: str
    contained_name: str
    contained_path: str
    browse_name: str
    template_chain: _containers.RepeatedScalarFieldContainer[str]
    category_id: int
    is_area: bool
    parent_gobject_id: int
    attributes: _containers.RepeatedCompositeFieldContainer[GalaxyAttribute]
    def __init__(self, gobject_id: _Optional[int] = ..., tag_name: _Optional[str] = ..., contained_name: _Optional[str] = ..., contained_path: _Optional[str] = ..., browse_name: _Optional[str] = ..., template_chain: _Optional[_Iterable[str]] = ..., category_id: _Optional[int] = ..., is_area: _Optional[bool] = ..., parent_gobject_id: _Optional[int] = ..., attributes: _Optional[_Iterable[_Union[GalaxyAttribute, _Mapping]]] = ...) -> None: ...

class BrowseChildrenRequest(_message.Message):
    __slots__ = ("parent_gobject_id", "parent_tag_name", "parent_contained_path", "page_size", "page_token", "category_ids", "template_chain_contains", "tag_name_glob", "include_attributes", "alarm_bearing_only", "historized_only")
    PARENT_GOBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_TAG_NAME_FIELD_NUMBER: _ClassVar[int]
    PARENT_CONTAINED_PATH_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_IDS_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_CHAIN_CONTAINS_FIELD_NUMBER: _ClassVar[int]
    TAG_NAME_GLOB_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    ALARM_BEARING_ONLY_FIELD_NUMBER: _ClassVar[int]
    HISTORIZED_ONLY_FIELD_NUMBER: _ClassVar[int]
    parent_gobject_id: int
    parent_tag_name: str
    parent_contained_path: str
    page_size: int
    page_token: str
    category_ids: _containers.RepeatedScalarFieldContainer[int]
    template_chain_contains: _containers.RepeatedScalarFieldContainer[str]
    tag_name_glob: str
    include_attributes: bool
    alarm_bearing_only: bool
    historized_only: bool
    def __init__(self, parent_gobject_id: _Optional[int] = ..., parent_tag_name: _Optional[str] = ..., parent_contained_path: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., category_ids: _Optional[_Iterable[int]] = ..., template_chain_contains: _Optional[_Iterable[str]] = ..., tag_name_glob: _Optional[str] = ..., include_attributes: _Optional[bool] = ..., alarm_bearing_only: _Optional[bool] = ..., historized_only: _Optional[bool] = ...) -> None: ...

class BrowseChildrenReply(_message.Message):
    __slots__ = ("children", "next_page_token", "child_has_children")
    CHILDREN_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CHILD_HAS_CHILDREN_FIELD_NUMBER: _ClassVar[int]
    children: _containers.RepeatedCompositeFieldContainer[GalaxyObject]
    next_page_token: str
    child_has_children: _containers.RepeatedScalarFieldContainer[bool]
    def __init__(self, children: _Optional[_Iterable[_Union[GalaxyObject, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., child_has_children: _Optional[_Iterable[bool]] = ...) -> None: ...
