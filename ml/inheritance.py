"""What a run's output cubes inherit: the facts gathered from the graph for the rules.

The rules are :mod:`cubegraph.kg.records.inheritance`'s; this module reads what they need:
the records of the run's target and input cubes (extent, period, licence), what the target
and each input variable measure, and the run's own creator and end time, and hands back one
:class:`~cubegraph.kg.records.inheritance.Inherited` per output cube for
:func:`cubegraph.ingest.pipeline.describe_paths`.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import URIRef

from cubegraph.kg.records.cube import read_cubes
from cubegraph.kg.records.inheritance import Inherited, inherit
from cubegraph.kg.records.run import Run
from cubegraph.ml.writeback import attribution_name, predicted_name

__all__ = ["output_inheritance"]


def output_inheritance(store, record: Run, sources: Mapping[URIRef, Mapping], *,
                       target: URIRef, target_name: str, job_id: str) -> dict[str, Inherited]:
    """``{"predictions": Inherited, "attributions": Inherited}`` for a succeeded run.

    Args:
        store: the store the run's inputs are described in.
        record: the run's record (its explanation, features, software and end time).
        sources: variable IRI -> ``{"cube", ...}`` for the target and every input
            (:func:`cubegraph.kg.records.variable.variable_sources`).
        target: the target variable's IRI; ``target_name`` its name in the file.
        job_id: the job's id (named in the creator).

    Raises:
        StoreError: the store failed to answer.
    """
    cubes = {}
    for cube in sorted({str(row["cube"]) for row in sources.values()}):
        cubes.update({c.iri: c for c in read_cubes(store, cube)})
    observable = {var.iri: var.observable for c in cubes.values() for var in c.variables}
    target_cube = cubes[str(sources[target]["cube"])]
    inputs = [c for iri, c in cubes.items() if iri != target_cube.iri]

    # A derived feature (a lag, a window mean) is about what its source variable measures.
    source_of = {f.name: f.source for f in record.features}
    about_inputs = {}
    for a in record.explanation.attributions if record.explanation else ():
        var = a.variable or source_of.get(a.name)
        if var is not None and observable.get(str(var)):
            about_inputs[attribution_name(a.name)] = observable[str(var)]
    about_target = ({predicted_name(target_name): observable[str(target)]}
                    if observable.get(str(target)) else {})
    # Each output variable came from a variable of an input cube, not of its own cube.
    from_target = {predicted_name(target_name): (str(target),)}
    from_inputs = {attribution_name(a.name): (str(a.variable or source_of.get(a.name)),)
                   for a in (record.explanation.attributions if record.explanation else ())
                   if (a.variable or source_of.get(a.name)) is not None}

    common = dict(creator=f"cubegraph {record.software} (run {record.id} of job {job_id})",
                  created=record.ended)
    return {"predictions": inherit(target_cube, inputs, about=about_target,
                                   derived_from=from_target, **common),
            "attributions": inherit(target_cube, inputs, about=about_inputs,
                                    derived_from=from_inputs, **common)}
