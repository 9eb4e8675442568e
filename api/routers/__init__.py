"""HTTP routers, one per area; each stays thin and calls ``api.services``."""
