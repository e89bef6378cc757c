"""One router per resource; ``api.main`` includes each one present."""
