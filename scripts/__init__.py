"""Batch entry points: the ``hkasean`` command line and the staged run. They only wire stages together."""
