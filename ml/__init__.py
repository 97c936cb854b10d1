"""cubegraph.ml"""
