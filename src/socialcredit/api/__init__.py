"""The HTTP API under ``/api/v1`` (FastAPI): thin routes over the platform's services.

Build it with :func:`socialcredit.api.app.create_app`; OpenAPI is at ``/api/v1/openapi.json``.
"""
