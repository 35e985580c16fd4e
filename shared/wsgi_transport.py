"""A `requests` transport adapter that hands requests to a WSGI app in this process.

Local all-in-one mode and the tests use it so that services call each other through the very same
client code (headers, token, errors) without sockets.
"""

from __future__ import annotations

from io import BytesIO

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from werkzeug.test import EnvironBuilder, run_wsgi_app


class WSGIAdapter(BaseAdapter):
    """Serves requests for any URL mounted on it by calling `app` directly."""

    def __init__(self, app):
        super().__init__()
        self.app = app

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        """Run the WSGI app for one request and wrap its answer as a requests.Response."""
        url = requests.utils.urlparse(request.url)
        builder = EnvironBuilder(
            path=url.path or "/",
            base_url=f"{url.scheme}://{url.netloc}",
            query_string=url.query,
            method=request.method,
            headers=dict(request.headers),
            data=request.body or b"",
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
        response.url = request.url
        response.request = request
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        return response

    def close(self) -> None:
        """Nothing to release."""
