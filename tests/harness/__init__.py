"""Harnesses that tests and benchmarks share and the product never uses: a throwaway PostgreSQL and
central's database helpers (`central.py`), a protocol-level simulated terminal (`simterminal.py`),
and the Kivy driver that taps real widgets (`driver.py`)."""
