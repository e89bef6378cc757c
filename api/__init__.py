"""api: the FastAPI app, auth, audit log, web UI and the ``serve``/``demo``/``audit`` commands.

Import ``api.main.create_app`` for the app; nothing heavy is imported here.
"""

__all__ = ["main", "config"]
