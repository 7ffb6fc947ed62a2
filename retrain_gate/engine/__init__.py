"""The pipeline's core: load a model's data, evaluate its rules, decide; replay it over days.

Pure but for `load` (which reads files): `now` is passed in, nothing prints.
"""
