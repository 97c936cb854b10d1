"""cubegraph.reasoning"""
