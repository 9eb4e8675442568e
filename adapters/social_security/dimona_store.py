"""The Dimona client's submission records on disk (``FileSubmissionStore``) and ops' answer to
a lost POST answer (``resolve_unknown``), also from the shell:

    python -m adapters.social_security.dimona_store resolve DIR KEY (NUMBER | --not-received)
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path

from adapters.errors import PermanentAdapterError
from adapters.files import write_once
from adapters.social_security.dimona_models import DimonaSubmission, SubmissionStore


class FileSubmissionStore:
    """One JSON file per declaration key in ``directory``; the claim is a write-once file, so
    of two concurrent attempts exactly one posts. A shared volume when workers run on several
    machines (as for the other local registers)."""

    def __init__(self, directory: Path) -> None:
        self._dir = Path(directory)

    def _path(self, key: str) -> Path:
        return self._dir / f"{key}.json"

    def _period_path(self, order_id: str) -> Path:
        return self._dir / "periods" / f"{order_id}.json"

    async def get(self, key: str) -> DimonaSubmission | None:
        return await asyncio.to_thread(self._read, self._path(key))

    async def claim(self, submission: DimonaSubmission) -> DimonaSubmission:
        def claim() -> DimonaSubmission:
            path = self._path(submission.declaration_key)
            if write_once(path, submission.model_dump_json().encode()):
                return submission
            stored = self._read(path)
            assert stored is not None
            return stored

        return await asyncio.to_thread(claim)

    async def save(self, submission: DimonaSubmission) -> None:
        def save() -> None:
            _replace(self._path(submission.declaration_key), submission.model_dump_json())
            accepted_in = submission.kind == "start" and submission.result in ("A", "W")
            if accepted_in and submission.period_id:
                _replace(self._period_path(submission.order_id), json.dumps(submission.period_id))

        await asyncio.to_thread(save)

    async def forget(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    async def retire(self, key: str) -> None:
        def retire() -> None:
            path = self._path(key)
            n = 1
            while (archived := self._dir / "refused" / f"{key}.{n}.json").exists():
                n += 1
            archived.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, archived)

        await asyncio.to_thread(retire)

    async def period_of(self, order_id: str) -> str | None:
        path = self._period_path(order_id)

        def read() -> str | None:
            return str(json.loads(path.read_text())) if path.exists() else None

        return await asyncio.to_thread(read)

    @staticmethod
    def _read(path: Path) -> DimonaSubmission | None:
        if not path.exists():
            return None
        return DimonaSubmission.model_validate_json(path.read_text())


def _replace(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


async def resolve_unknown(
    store: SubmissionStore, declaration_key: str, dimona_number: str | None
) -> None:
    """Ops' answer to ``DimonaOutcomeUnknown``: the number ONSS has for the declaration (found
    in the Dimona portal), or None if it has none, so the next attempt posts again."""
    stored = await store.get(declaration_key)
    if stored is None or stored.state != "posting":
        raise PermanentAdapterError(f"{declaration_key!r} has no unresolved submission")
    if dimona_number is None:
        await store.forget(declaration_key)
    else:
        update = {"state": "posted", "dimona_number": dimona_number}
        await store.save(stored.model_copy(update=update))


def main(argv: list[str] | None = None) -> None:
    """``resolve DIR KEY (NUMBER | --not-received)``: ``resolve_unknown`` from the shell."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m adapters.social_security.dimona_store")
    commands = parser.add_subparsers(dest="command", required=True)
    resolve = commands.add_parser("resolve", help="answer a DimonaOutcomeUnknown")
    resolve.add_argument("store_dir", type=Path, help="the Dimona submission directory")
    resolve.add_argument("declaration_key")
    answer = resolve.add_mutually_exclusive_group(required=True)
    answer.add_argument("number", nargs="?", help="the declaration number ONSS has")
    answer.add_argument("--not-received", action="store_true", help="ONSS has none: post again")
    args = parser.parse_args(argv)
    number = None if args.not_received else args.number
    asyncio.run(resolve_unknown(FileSubmissionStore(args.store_dir), args.declaration_key, number))
    print(f"{args.declaration_key}: resolved; retry the order's step (signal retry_step)")  # noqa: T201


if __name__ == "__main__":
    main()
