"""cubegraph.ingest"""
