"""cubegraph.api.services: the framework-neutral services behind the web app and the CLI.

Plain functions over a :class:`~cubegraph.kg.store.Store` that return data: catalog search
(``search``, ``search_params``), the provenance audit (``audit``, ``audit_sources``,
``audit_report``, ``fair``) and its page model (``audit_view``, ``lineage_layout``), the
catalog exports (``catalog_export``: DCAT, VoID, schema.org; ``stac_export`` and
``stac_validation``), what the UI shows of cubes and runs (``cube_view``, ``run_view``,
``charts``), the example queries (``examples``), licence names
(``licences``) and their errors (``errors``). Nothing here imports Flask, werkzeug,
jinja2 or :mod:`cubegraph.api.web`.
"""
