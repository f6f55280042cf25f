"""Collectors: one module (plus its ``.sql`` files) per statistics view."""
