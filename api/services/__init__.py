"""Use cases behind the routers: queries and writes on one request session."""
