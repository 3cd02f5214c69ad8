"""Sync between a terminal and central: the shared wire protocol, the HTTP client, the worker."""
