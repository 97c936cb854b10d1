"""The root of cubegraph's errors.

Every layer defines its own subclasses in its own ``errors.py``; each carries an
``http_status`` so the API maps all of them to HTTP responses in one place, and a message
that names the thing, the problem and, where possible, the way out.
"""


class CubegraphError(Exception):
    """Base of every cubegraph error; ``http_status`` maps it to an HTTP response."""

    http_status = 500
