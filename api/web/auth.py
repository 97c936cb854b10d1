"""Write access: a bearer token, checked in constant time.

Reading is open; every write (SPARQL Update, Graph Store PUT/POST/DELETE) needs
``Authorization: Bearer <token>`` matching the server's token (``ServerSettings.token``). No header -> 401 with
``WWW-Authenticate: Bearer``; a wrong token, or a server started without one -> 403.
"""

from __future__ import annotations

import functools
import hmac

from flask import request

from cubegraph.api.web.errors import Forbidden, Unauthorized
from cubegraph.api.web.state import get_settings


def check_token() -> None:
    """Check the current request's bearer token.

    Raises:
        Unauthorized: no ``Authorization: Bearer`` header.
        Forbidden: the token is wrong, or the server has no token (writing disabled).
    """
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Unauthorized("this request writes to the store and needs a bearer token: "
                           "send 'Authorization: Bearer <token>'")
    expected = get_settings().token
    if not expected:
        raise Forbidden("writing is disabled on this server: start it with a write token "
                        "(cubegraph serve --token, or the CUBEGRAPH_TOKEN environment variable)")
    # compare_digest takes as long for a near miss as for a wild guess: no timing oracle.
    if not hmac.compare_digest(given.strip().encode("utf-8"), str(expected).encode("utf-8")):
        raise Forbidden("the bearer token is not valid for writing to this server")


def token_required(view):
    """Decorate a view that always writes: it runs only with the right bearer token."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        check_token()
        return view(*args, **kwargs)

    return wrapped
