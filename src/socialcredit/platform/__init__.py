"""The credit information platform: one folder per domain, each with fixed file names.

``<domain>/models.py`` holds its tables, ``<domain>/schemas.py`` its pydantic shapes for the API,
``<domain>/service.py`` its service functions: keyword-only arguments, a session passed in, and they
**never commit** (the API request or CLI command commits once, so a write and its audit entry are atomic).
Every write appends to the hash-chained audit log (:mod:`socialcredit.platform.audit.service`).
"""
