"""Checks a request our client sent against Calendly's 2024 OpenAPI spec (path, method, query
parameters, required and known body fields, enums), and POST /invitees against DESIGN.md's field list."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from tests.vendor_specs import vendor_spec

SPEC_NAME = "calendly_api_v2_2024.yaml"
UTC_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class SpecChecker:
    """Problems of one request, as a list of strings (empty when the request conforms)."""

    def __init__(self, path: Path | None = None):
        self.spec = yaml.safe_load((path or vendor_spec(SPEC_NAME)).read_text())
        templates = sorted(self.spec["paths"], key=lambda template: (template.count("{"), -len(template)))
        self.paths = [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"), template)
                      for template in templates]

    def _resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def template_for(self, path: str) -> str | None:
        """The spec's path template matching a concrete path."""
        return next((template for pattern, template in self.paths if pattern.match(path)), None)

    def check(self, method: str, url: str, body: dict[str, Any] | None) -> list[str]:
        """Everything about the request the spec (or DESIGN.md for POST /invitees) does not allow."""
        parts = urlsplit(url)
        query = parse_qs(parts.query, keep_blank_values=True)
        if method == "POST" and parts.path == "/invitees":
            return check_invitee_body(body) + ([f"unexpected query {sorted(query)}"] if query else [])
        template = self.template_for(parts.path)
        if template is None:
            return [f"{method} {parts.path}: path not in the spec"]
        item = self.spec["paths"][template]
        operation = item.get(method.lower())
        if operation is None:
            return [f"{method} {template}: method not in the spec"]
        problems: list[str] = []
        parameters = [self._resolve(p) for p in item.get("parameters", []) + operation.get("parameters", [])]
        allowed = {p["name"]: p for p in parameters if p.get("in") == "query"}
        for name in query:
            if name not in allowed:
                problems.append(f"{method} {template}: unknown query parameter {name!r}")
        for name, parameter in allowed.items():
            if parameter.get("required") and name not in query:
                problems.append(f"{method} {template}: missing required query parameter {name!r}")
        problems += self._check_body(method, template, operation, body)
        return problems

    def _check_body(self, method: str, template: str, operation: dict[str, Any], body: Any) -> list[str]:
        request_body = self._resolve(operation.get("requestBody"))
        if not request_body:
            return [f"{method} {template}: the spec takes no body"] if body else []
        if body is None:
            return [f"{method} {template}: body required"] if request_body.get("required") else []
        schema = self._resolve(request_body["content"]["application/json"]["schema"])
        properties = schema.get("properties", {})
        problems = [f"{method} {template}: missing required field {name!r}"
                    for name in schema.get("required", []) if name not in body]
        for name, value in body.items():
            if name not in properties:
                problems.append(f"{method} {template}: unknown field {name!r}")
                continue
            prop = self._resolve(properties[name])
            enum = prop.get("enum") or self._resolve(prop.get("items", {})).get("enum")
            values = value if isinstance(value, list) else [value]
            if enum and any(item not in enum for item in values):
                problems.append(f"{method} {template}: {name}={value!r} not in {enum}")
            if prop.get("format") == "uri" and not str(value).startswith("https://"):
                problems.append(f"{method} {template}: {name} is not a URI")
            if "maxLength" in prop and len(str(value)) > prop["maxLength"]:
                problems.append(f"{method} {template}: {name} too long")
        return problems


def check_invitee_body(body: Any) -> list[str]:
    """POST /invitees per DESIGN.md: event_type, start_time (UTC), invitee{name, email, timezone,
    text_reminder_number}, optional location and questions_and_answers; nothing else."""
    if not isinstance(body, dict):
        return ["POST /invitees: body must be a JSON object"]
    problems = [f"POST /invitees: missing {name!r}" for name in ("event_type", "start_time", "invitee")
                if name not in body]
    problems += [f"POST /invitees: unknown field {name!r}" for name in body
                 if name not in ("event_type", "start_time", "invitee", "location", "questions_and_answers")]
    if not str(body.get("event_type", "")).startswith("https://api.calendly.com/event_types/"):
        problems.append("POST /invitees: event_type must be an event type URI")
    if not UTC_TIMESTAMP.match(str(body.get("start_time", ""))):
        problems.append("POST /invitees: start_time must be UTC (...Z)")
    invitee = body.get("invitee")
    if not isinstance(invitee, dict):
        return problems + ["POST /invitees: invitee must be an object"]
    problems += [f"POST /invitees: invitee.{name} missing" for name in ("name", "email", "timezone")
                 if not invitee.get(name)]
    problems += [f"POST /invitees: unknown invitee field {name!r}" for name in invitee
                 if name not in ("name", "email", "timezone", "text_reminder_number")]
    if "@" not in str(invitee.get("email", "")):
        problems.append("POST /invitees: invitee.email is not an address")
    if "text_reminder_number" in invitee and not E164.match(invitee["text_reminder_number"]):
        problems.append("POST /invitees: text_reminder_number is not E.164")
    return problems
