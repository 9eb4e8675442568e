"""Faults survived (issue 17): scripts that run order lifecycles through the whole system
(Temporal dev server, worker and API as processes of their own) while something breaks, then
check the invariants in the database. See docs/chaos.md."""
