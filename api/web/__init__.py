"""cubegraph.api.web: everything HTTP.

The Flask app factory (``app.py``) and its shared state (``state.py``), one blueprint per
face (``sparql``, ``graph_store``, ``pages``, ``discovery``, ``ui``), write access
(``auth.py``), HTTP errors and the one error handler (``errors.py``, ``error_handler.py``),
content negotiation and request reading as pure functions (``negotiation.py``,
``protocol.py``), the query runner (``query_runner.py``), the lean path that alone answers
SPARQL queries (``query_path.py``), serving (``serve.py``), and the pages' ``templates/``
and ``static/`` files. It calls the framework-neutral :mod:`cubegraph.api.services`.
"""
