"""The submission page (Starlette + Jinja2)."""
