"""A `requests` transport adapter that hands requests to a WSGI app in this process.

Local all-in-one mode and the tests use it so that services call each other through the very same
client code (headers, token, errors) without sockets.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from werkzeug.test import EnvironBuilder, run_wsgi_app


class WSGIAdapter(BaseAdapter):
    """Serves requests for any URL mounted on it by calling `app` directly."""

    def __init__(self, app):
        super().__init__()
        self.app = app

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: bool | str = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        """Run the WSGI app for one request and wrap its answer as a requests.Response (the connection
        options do not apply in process)."""
        url = urlsplit(request.url or "")
        body = request.body
        builder = EnvironBuilder(
            path=url.path or "/",
            base_url=f"{url.scheme}://{url.netloc}",
            query_string=url.query,
            method=request.method or "GET",
            headers=[(key, value if isinstance(value, str) else value.decode("latin-1"))
                     for key, value in request.headers.items()],
            data=body if isinstance(body, (str, bytes)) else b"",
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        app_iter, status, headers = run_wsgi_app(self.app, environ, buffered=True)
        response = requests.Response()
        response.status_code = int(status.split(" ", 1)[0])
        response.reason = status.split(" ", 1)[1] if " " in status else ""
        response.headers = CaseInsensitiveDict(headers.items())
        response.raw = BytesIO(b"".join(app_iter))
        if hasattr(app_iter, "close"):
            app_iter.close()
        response.url = request.url or ""
        response.request = request
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        return response

    def close(self) -> None:
        """Nothing to release."""
