"""Loket's terminal program: the shell around the pure core in `kiosk/`.

This is what runs on a kiosk terminal besides the screens: the `loket` command (`loket/cli/`), the
one runtime that wires the core to sync and printing for the screens and the CLI, the maintenance
dashboard's read model and actions, provisioning (online and from a USB file), the USB export, and
the demo launcher. It imports `kiosk`, `sync` and `printing`; the Kivy screens in `screens/` sit on
top of it, and nothing below imports it.
"""
