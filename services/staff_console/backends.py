"""The console's client for the other services' internal APIs: the service token (the admin token for
admin routes), and the staff member's opaque id in X-Staff-User for their audit logs."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context

from shared.api import STAFF_HEADER
from shared.service_client import ServiceCallError, ServiceClient, ServiceResponse


class StaffClient:
    """Calls other services on behalf of the signed-in staff member."""

    def __init__(self, client: ServiceClient, admin_token: str):
        self.client = client
        self.admin_token = admin_token

    def _headers(self, service: str, path: str) -> dict[str, str]:
        headers: dict[str, str] = {"X-Service-Name": "staff_console", "Accept": "application/json"}
        admin = service == "knowledge_base" and (path.startswith("/kb/documents") or "/schedule/" in path
                                                 or path.endswith(("/documents", "/stranded-appointments")))
        headers["Authorization"] = f"Bearer {self.admin_token if admin else self.client.token}"
        if has_request_context():
            if g.get("staff_id"):
                headers[STAFF_HEADER] = g.staff_id
            if g.get("request_id"):
                headers["X-Request-ID"] = g.request_id
        return headers

    def call(self, method: str, service: str, path: str, *, params: dict[str, Any] | None = None,
             json: Any = None, files: dict | None = None, data: dict | None = None) -> ServiceResponse:
        """One request; 4xx come back as answers, transport errors and 5xx raise ServiceCallError."""
        url = self.client.base_url(service) + path
        try:
            response = self.client.session.request(
                method, url, params=params, json=json, files=files, data=data,
                headers=self._headers(service, path),
                timeout=(self.client.settings.http_connect_timeout_seconds, 30))
        except Exception as error:  # noqa: BLE001 - any transport failure is "unreachable"
            raise ServiceCallError(service, path, None, type(error).__name__) from None
        if response.status_code >= 500:
            raise ServiceCallError(service, path, response.status_code, "server error")
        try:
            body = response.json()
        except ValueError:
            body = None
        return ServiceResponse(response.status_code, body)

    def get(self, service: str, path: str, **params: Any) -> Any:
        """GET expecting 2xx; ServiceCallError otherwise."""
        return self._ok(self.call("GET", service, path, params=params), service, path)

    def post(self, service: str, path: str, payload: Any = None) -> ServiceResponse:
        """POST JSON; the answer whatever its 2xx/4xx status."""
        return self.call("POST", service, path, json=payload)

    @staticmethod
    def _ok(answer: ServiceResponse, service: str, path: str) -> Any:
        if not answer.ok:
            message = answer.data.get("message", "") if isinstance(answer.data, dict) else ""
            raise ServiceCallError(service, path, answer.status, message)
        return answer.data
