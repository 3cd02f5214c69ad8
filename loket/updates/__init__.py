"""Signed updates on a terminal: building bundles, applying them, coming up or going back."""
