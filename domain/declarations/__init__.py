"""Statutory declarations as data: German DEÜV reports, contribution statements and wage-tax
returns, and the Belgian quarterly DmfA. Pure: no I/O, safe inside the Temporal sandbox.

Field-by-field documentation against the real channels: ``docs/declarations-de.md`` and
``docs/declarations-be.md``.
"""
