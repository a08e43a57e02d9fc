"""`make bench`: the roster sync benchmark (issue 4, "Speed and memory").

Every measurement runs the product as a separate process against a Clever sandbox serving generated
districts, in scratch databases of its own: see run.py for the order of the steps, and README.md
("Benchmark") for what each figure means.
"""
