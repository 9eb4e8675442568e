"""The demo's cast: three members (one German with an employment record, two Belgian), five
clients in four countries (one a consumer) and a finance user, new e-mails on every run."""

from __future__ import annotations

from dataclasses import dataclass

from dev.demo_api import Api, Json, say


@dataclass
class Cast:
    members: list[tuple[Json, str]]  # (member, token)
    clients: dict[str, Json]  # by short name, each belongs to the member in client["_token"]
    finance: str


async def seed(api: Api, admin: str, run: str) -> Cast:
    people = [
        ("Ada Lovelace", "DE", "en", "DE89370400440532013000", None),
        ("Lieven Gevaert", "BE", "nl", "BE68539007547034", "GKCCBEBB"),
        ("Marie Curie", "BE", "fr", "BE68539007547034", "GKCCBEBB"),
        # paid a monthly salary from her budget once her season's order is paid; no employment
        # record yet, so provisional flat rates (the exact German salary of 2027 waits for the
        # 2027 wage-tax plan, which our payroll library does not have yet)
        ("Grete Gehalt", "DE", "de", "DE02120300000000202051", None),
    ]
    members: list[tuple[Json, str]] = []
    for name, jurisdiction, language, iban, bic in people:
        email = f"{name.split()[0].lower()}.{run}@demo.coopflow.example"
        body = {"name": name, "email": email, "jurisdiction": jurisdiction, "language": language}
        created = await api.call("POST", "/members", admin, body | {"iban": iban, "bic": bic})
        members.append((created["member"], created["token"]))
        say(f"member {created['member']['id']}: {name} ({jurisdiction})")
        if jurisdiction == "BE":
            # Exact Belgian payroll (ONSS, the work bonus, the key formula): Lieven is a
            # white-collar worker living with a partner without income, two children;
            # Marie works on artists' contracts (108 %), single.
            record = (
                {
                    "contract": "standard",
                    "tax": {"family_situation": "partner_without_income", "dependent_children": 2},
                }
                if name.startswith("Lieven")
                else {"contract": "artist", "tax": {}}
            )
            await api.call("PUT", f"/members/{created['member']['id']}/employment", admin, record)
        if jurisdiction == "DE" and name != "Grete Gehalt":
            # Exact German payroll needs the employment record.
            await api.call(
                "PUT",
                f"/members/{created['member']['id']}/employment",
                admin,
                {
                    "tax_class": 1,
                    "federal_state": "BE",
                    "health_fund": "Techniker Krankenkasse",
                    "health_fund_additional_rate": "0.029",
                    "birth_year": 1990,
                    "children": 1,
                    "children_under_25": 1,
                },
            )
    ada, lieven, marie, grete = (token for _, token in members)
    specs: list[tuple[str, str, Json]] = [
        (
            "acme",
            ada,
            {"name": "ACME GmbH", "country": "DE", "vat_id": "DE136695976", "language": "de"},
        ),
        (
            "brussels",
            lieven,
            {
                "name": "Atomium Events SRL",
                "country": "BE",
                "vat_id": "BE0477472701",
                "language": "nl",
            },
        ),
        (
            "paris",
            ada,
            {"name": "Lumière SAS", "country": "FR", "vat_id": "FR40303265045", "language": "fr"},
        ),
        (
            "zurich",
            marie,
            {"name": "Helvetia Uhren AG", "country": "CH", "vat_id": None, "language": "de"},
        ),
        (
            "theatre",
            grete,
            {
                "name": "Staatstheater Nord GmbH",
                "country": "DE",
                "vat_id": "DE136695976",
                "language": "de",
            },
        ),
        (
            "consumer",
            marie,
            {
                "name": "Jean Dupont",
                "country": "BE",
                "is_business": False,
                "vat_id": None,
                "language": "fr",
            },
        ),
    ]
    clients: dict[str, Json] = {}
    for key, token, spec in specs:
        body = {"email": f"billing+{key}.{run}@demo.coopflow.example", "address": "Demo street 1"}
        client = await api.call("POST", "/clients", token, body | spec)
        clients[key] = client | {"_token": token}
        say(f"client {client['id']}: {client['name']} ({client['country']})")
    finance = await api.call("POST", "/finance-users", admin, {"name": "Fiona Finance"})
    return Cast(members, clients, finance["token"])
