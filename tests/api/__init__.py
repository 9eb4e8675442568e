"""API tests: the FastAPI app over httpx on SQLite and PostgreSQL, Temporal on the time-skipping
server with a workflow double."""
