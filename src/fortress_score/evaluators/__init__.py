"""The built-in evaluators, one module each, registered as default plug-ins.

Each module imports ``hookimpl`` and ``Evaluator`` from the public API, the way a
third-party package does, and returns its evaluator from the one hook; the plug-in manager
names them by module (``fortress_score.plugins.manager.DEFAULT_PLUGINS``), as pytest names
its own default plug-ins.
"""
