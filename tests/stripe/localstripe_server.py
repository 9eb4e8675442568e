"""Runs localstripe (``python -m tests.stripe.localstripe_server --port N``) without its store
file: localstripe pickles its whole store to the fixed path /tmp/localstripe.pickle after every
change, which parallel test runs (or another user's file) would share."""

from __future__ import annotations

from localstripe import resources, server

if __name__ == "__main__":
    resources.Store.dump_to_disk = lambda self: None
    server.start()
