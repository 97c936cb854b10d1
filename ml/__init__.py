"""cubegraph.ml: datasets from selected cube inputs, torch models, training, evaluation
against domain baselines, SHAP explanations, and the linked-data write-back of runs.

Modules: ``dataset`` (zarr/NetCDF -> aligned, featurised, time-split torch batches),
``models`` (``mlp`` / ``temporal``), ``train``, ``metrics``, ``baselines``, ``explain``,
``job`` (:func:`~cubegraph.ml.job.run_training`), ``writeback`` (ML-Schema/PROV-O graph,
prediction and attribution cubes), ``errors``. Importing this package imports nothing heavy;
import the modules you need.
"""
