"""Admin commands on the database (``Settings.database_url``), for the first members and staff.

    python -m api.admin create-member --name "Ada Lovelace" --email ada@example.org \\
        --jurisdiction DE --iban DE89370400440532013000 [--bic COBADEFFXXX] [--language en]
    python -m api.admin create-token --role finance --label "Fiona Finance"
    python -m api.admin create-token --role member --member-id 3
    python -m api.admin revoke-token --id 7
    python -m api.admin revoke-links --order 42

The create commands print the new bearer token on the last line (it is stored only as a hash).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from api.auth import Role
from api.errors import ProblemError, field_errors
from api.schemas import MemberCreate
from api.services import members as service
from api.services.link_revocation import revoke_order_links
from config import get_settings
from db.session import make_engine, make_session_factory


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m api.admin", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    member = commands.add_parser("create-member", help="create a member and their first token")
    member.add_argument("--name", required=True)
    member.add_argument("--email", required=True)
    member.add_argument("--jurisdiction", required=True, choices=["DE", "BE"])
    member.add_argument("--iban", required=True)
    member.add_argument("--bic")
    member.add_argument("--language", default="en", choices=["de", "en", "fr", "nl", "it", "pl"])
    token = commands.add_parser("create-token", help="issue a finance, admin or member token")
    token.add_argument("--role", required=True, choices=["finance", "admin", "member"])
    token.add_argument("--label", default="", help="the holder's name (finance, admin)")
    token.add_argument("--member-id", type=int, help="the member (role member)")
    revoke = commands.add_parser("revoke-token", help="revoke a token at once (lost, leaked)")
    revoke.add_argument("--id", type=int, required=True, help="the token's id (token_id)")
    links = commands.add_parser("revoke-links", help="close an order's signing and pay links")
    links.add_argument("--order", type=int, required=True, help="the order's id")
    return parser


async def _run(args: argparse.Namespace) -> str:
    engine = make_engine(get_settings().database_url)
    try:
        async with make_session_factory(engine)() as session:
            if args.command == "create-member":
                data = MemberCreate(
                    name=args.name,
                    email=args.email,
                    jurisdiction=args.jurisdiction,
                    language=args.language,
                    iban=args.iban,
                    bic=args.bic,
                )
                created = await service.create_member(session, data)
                await session.commit()
                return (
                    f"member {created.member.id} {created.member.name} <{created.member.email}>\n"
                    f"token: {created.token}\n"
                )
            if args.command == "revoke-links":
                closed = await revoke_order_links(session, args.order)
                await session.commit()
                return (
                    f"order {closed.order_id}: revoked {closed.signing_links} signing and "
                    f"{closed.pay_links} payment links\n{closed.next_steps}\n"
                )
            if args.command == "revoke-token":
                revoked = await service.revoke(session, args.id)
                await session.commit()
                return f"revoked {revoked.role} token {revoked.token_id} ({revoked.label})\n"
            role: Role = args.role
            if role == "member":
                if args.member_id is None:
                    raise ProblemError(422, "member-id-missing", "--member-id is required")
                issued = await service.issue_member_token(session, args.member_id)
            else:
                label = args.label or f"{role} (CLI)"
                issued = await service.issue_staff_token(session, role, label)
            await session.commit()
            return (
                f"{issued.role} token {issued.token_id} for {issued.label}, valid until "
                f"{issued.expires_at:%Y-%m-%d}\ntoken: {issued.token}\n"
            )
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        sys.stdout.write(asyncio.run(_run(args)))
    except ValidationError as exc:
        for error in field_errors(exc.errors()):
            sys.stderr.write(f"--{error['field']}: {error['message']}\n")
        return 2
    except ProblemError as exc:
        sys.stderr.write(exc.detail + "\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
