"""The HTTP API under /api/v1, one router per resource; `ROUTERS` lists them for the app."""

from central.api import applications, catalog, enrollment, health, heartbeat, record, releases, status_changes

ROUTERS = [health.router, enrollment.router, applications.router, catalog.router, status_changes.router,
           heartbeat.router, record.router, releases.router]
