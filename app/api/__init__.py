"""The HTTP service: `app.api.main:app`."""
