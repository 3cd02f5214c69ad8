"""The reference central backend: the HTTP API terminals sync with, staff pages and the `loket-central` CLI."""
