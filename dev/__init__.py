"""Developer tools: the local stack (``make run``), the demo run and the local SMTP sink.

Nothing in the application imports them; the production image leaves them out.
"""
