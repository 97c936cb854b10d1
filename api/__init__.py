"""cubegraph.api: the faces of cubegraph.

``web/`` is everything HTTP (the Flask app, the SPARQL endpoint, the pages, serving),
``services/`` the framework-neutral services they and the command line call (search,
audit, exports, views of cubes and runs), ``cli/`` the ``cubegraph`` command line. Within
``api``, ``web`` and ``cli`` call ``services`` (and ``cli`` starts ``web``); ``services``
calls neither.
"""
