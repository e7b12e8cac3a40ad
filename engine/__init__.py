"""CivicFlow's engine: BPMN loading, running cases, persistence, inbox rows, audit.

It knows nothing of Flask or HTTP: the web app, the CLI and the scheduler all call
the service functions in :mod:`engine.services`.
"""
