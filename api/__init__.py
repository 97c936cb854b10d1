"""cubegraph.api"""
