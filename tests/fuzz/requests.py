"""Hypothesis strategies for whole requests, generated from docs/openapi.json (tools/openapi.py): each
internal or staff operation with its path, query and body fields filled from their schemas or with
hostile values (ids beyond 64 bits, extreme and impossible dates, JSON nested thousands deep, control
characters, very long values, wrong types, missing fields, broken JSON), and Twilio webhooks with
bogus parameters, signed as Twilio signs them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

from shared.routes import ROUTES, Exposure
from shared.settings import LOCAL_ADMIN_TOKEN, LOCAL_INTERNAL_TOKEN
from tests.hostile.pdf_mutations import mutated_pdfs
from tests.hostile.strategies import hostile_text, twilio_params
from tools.openapi import build

SPEC = build()
SCHEMAS = SPEC["components"]["schemas"]
OPERATIONS = [(path, method.upper(), operation) for path, item in SPEC["paths"].items()
              for method, operation in item.items()]
TWILIO_PATHS = sorted(route.path for route in ROUTES if route.exposure is Exposure.TWILIO)

HUGE_INTEGERS = (2**31, 2**31 - 1, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 2**64 + 1, 10**30, 10**400, -(2**63) - 1, -1, 0)
EXTREME_DATES = ("0001-01-01", "9999-12-31", "10000-01-01", "2026-02-30", "2026-13-01", "0000-00-00", "1900-01-01",
                 "2026-12-01T10:00:00", "2026-12-01T10:00:00+14:00", "2026-12-01T10:00:00-12:00",
                 "2026-12-01T10:00:00+99:00", "9999-12-31T23:59:59.999999+14:00", "0001-01-01T00:00:00-14:00",
                 "2026-12-01T24:00:00Z", "2026-W49-2", "1e400", "+275760-09-13T00:00:00Z", "")


@dataclass
class FuzzRequest:
    """One request to send: where, how, and what kind of answer it must get."""

    kind: str  # "api" (4xx/2xx JSON) or "twilio" (TwiML)
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    json_body: Any = None
    raw_body: bytes | None = None
    content_type: str | None = None
    form: dict[str, Any] | None = None

    def describe(self) -> str:
        """A short description for a failure report."""
        body = self.raw_body[:120] if self.raw_body is not None else json.dumps(self.json_body, default=str)[:200]
        return f"{self.method} {self.path[:200]} query={str(self.query)[:200]} body={body}"


def deep_json(depth: int) -> Any:
    """A list or object nested `depth` levels."""
    value: Any = 1
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


def hostile_values() -> st.SearchStrategy[Any]:
    """A value of any type a field should not get."""
    return st.one_of(
        st.sampled_from(HUGE_INTEGERS), st.sampled_from(EXTREME_DATES), hostile_text(120),
        st.integers(min_value=1, max_value=20_000).map(lambda size: "9" * size),
        st.sampled_from([None, True, False, 1.5, -0.0, 1e308, [], {}, [1, "a"], {"x": {"y": None}}]),
        st.integers(min_value=50, max_value=600).map(deep_json),  # json.dumps itself recurses; deeper ones are raw
    )


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def from_schema(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values fitting a JSON schema, or (one time in six) a hostile value instead, so that most requests
    get past validation into the service while every field is also tried with nonsense."""
    if depth >= 4:
        return hostile_values()
    fitting = _fitting(_resolve(schema), depth)
    return st.one_of(fitting, fitting, fitting, fitting, fitting, hostile_values())


def _fitting(schema: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    if "anyOf" in schema:
        return st.one_of([from_schema(option, depth + 1) for option in schema["anyOf"]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        return _fitting_string(schema)
    if kind == "integer":
        low, high = schema.get("minimum", schema.get("exclusiveMinimum", -10)), schema.get("maximum", 10**6)
        return st.integers(min_value=low, max_value=min(high, low + 10**6))
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), depth + 1), max_size=4)
    if kind == "object" and "properties" in schema:
        return json_objects(schema, depth + 1)
    return st.one_of(st.none(), hostile_text(40), st.dictionaries(st.text(max_size=8), st.integers(), max_size=3))


def _fitting_string(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    if schema.get("format") == "date-time":
        return st.one_of(st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
                         st.sampled_from(EXTREME_DATES))
    if schema.get("format") == "date":
        return st.one_of(st.dates().map(str), st.sampled_from(EXTREME_DATES))
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True)
    return st.text(min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 80), 300))


def json_objects(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """An object with the schema's properties, each present or missing, plus sometimes an unknown one."""
    properties = {name: st.one_of(st.just(_MISSING), from_schema(value, depth))
                  for name, value in schema.get("properties", {}).items()}
    extra = st.dictionaries(hostile_text(20), hostile_values(), max_size=2)
    return st.tuples(st.fixed_dictionaries(properties), extra).map(
        lambda pair: {**pair[1], **{name: value for name, value in pair[0].items() if value is not _MISSING}})


_MISSING = object()
_BROKEN_BODIES = (b"", b"{", b"[", b"null", b"NaN", b'{"a": NaN}', b"\xff\xfe\x00", b'{"a": 1, "a": 2}',
                  b"[" * 100_000, b"[" * 5_000 + b"]" * 5_000, b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
                  b'"' + b"x" * 100_000, b"1" * 5000, b'{"\\ud800": 1}', b"\x00" * 64)


def _query_value(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    as_text = from_schema(schema).map(lambda value: value if isinstance(value, str) else json.dumps(value)[:50_000])
    return st.one_of(as_text, st.integers(min_value=1, max_value=9_000).map(lambda size: "1," * size + "1"))


def _path_value(parameter: dict[str, Any]) -> st.SearchStrategy[str]:
    if parameter["schema"].get("type") == "integer":
        return st.one_of(st.integers(min_value=1, max_value=5), st.sampled_from(HUGE_INTEGERS),
                         st.integers(min_value=0, max_value=10**60)).map(str)
    return st.one_of(st.sampled_from(["riverside", "harbor-dental", "lakeside"]),
                     hostile_text(200).filter(bool)).map(lambda value: quote(value, safe=""))


@st.composite
def api_requests(draw) -> FuzzRequest:
    """A request to one internal or staff operation of the OpenAPI document."""
    path, method, operation = draw(st.sampled_from(OPERATIONS))
    token = LOCAL_ADMIN_TOKEN if operation["security"][0].get("adminToken") is not None else LOCAL_INTERNAL_TOKEN
    headers = {"Authorization": f"Bearer {draw(st.sampled_from([token] * 18 + ['wrong', '']))}"}
    query: dict[str, str] = {}
    for parameter in operation["parameters"]:
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", draw(_path_value(parameter)))
        elif parameter["in"] == "query" and draw(st.integers(0, 4)):
            query[parameter["name"]] = draw(_query_value(parameter["schema"]))
        elif parameter["in"] == "header" and draw(st.booleans()):
            headers[parameter["name"]] = draw(hostile_text(300)).replace("\n", " ").replace("\r", " ")
    if draw(st.integers(0, 9)) == 0:
        headers["X-Request-Deadline"] = draw(st.sampled_from(["-1", "1e400", "nan", "99999999999999999999", "x"]))
    request = FuzzRequest("api", method, path, headers, query)
    content = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        request.form = {"clinic": draw(st.sampled_from(["riverside", "lakeside", "", "\x00", "r" * 5000])),
                        "file": draw(st.one_of(mutated_pdfs(), st.binary(max_size=300))),
                        "preview": draw(st.sampled_from(["true", "false", "", "\x01"]))}
        if draw(st.integers(0, 9)) == 0:
            del request.form[draw(st.sampled_from(["clinic", "file"]))]
    elif "application/json" in content or method == "POST":
        schema = content.get("application/json", {}).get("schema", {"type": "object", "properties": {}})
        choice = draw(st.integers(0, 9))
        if choice < 7:
            request.json_body = draw(json_objects(_resolve(schema)))
        elif choice < 9:
            request.raw_body = draw(st.sampled_from(_BROKEN_BODIES))
            request.content_type = draw(st.sampled_from(["application/json", "text/plain", "application/xml"]))
        else:
            request.json_body = draw(hostile_values())
    return request


@st.composite
def twilio_requests(draw) -> FuzzRequest:
    """A Twilio webhook with bogus parameters, to a clinic number or not, signed."""
    params = draw(twilio_params())
    if draw(st.booleans()):
        params["To"] = draw(st.sampled_from(["+16175550100", "+14155550100", "+1", "\x00"]))
    if draw(st.integers(0, 4)) == 0:
        params["Digits"] = draw(st.sampled_from(["1", "2", "9" * 5000, "#", "\x7f", "1" * 40]))
    path = draw(st.sampled_from(TWILIO_PATHS))
    return FuzzRequest("twilio", "POST", path, form=params)


def fuzz_requests() -> st.SearchStrategy[FuzzRequest]:
    """Internal and staff requests four times in five, Twilio webhooks the rest."""
    return st.one_of(api_requests(), api_requests(), api_requests(), api_requests(), twilio_requests())

