"""Signed release bundles: the manifest, the release keys and the bundle file (shared with central)."""
