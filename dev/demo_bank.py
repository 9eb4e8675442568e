"""The demo's bank: clients pay by transfer, and the bank's notifications (camt.054) land in the
statement inbox as they would from the bank's channel; the demo then asks the back office to
read the inbox at once (``POST /finance/bank-inbox/read``) instead of waiting for the schedule.
At the end of the run one more notification holds a transfer nobody can place and one that pays
more than its invoice owes, so finance finds a non-empty queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dev.bank_files import Txn, write_camt054
from dev.demo_api import Api

# Where each demo client pays from (valid German test IBANs).
PAYER_IBANS = {
    "acme": "DE02120300000000202051",
    "brussels": "DE02100100100006820101",
    "paris": "DE02300209000106531065",
    "zurich": "DE02700100800030876808",
    "consumer": "DE02500105170137075030",
}


@dataclass
class Bank:
    api: Api
    inbox: Path
    finance: str  # the finance token that asks for the inbox to be read
    run: str
    sent: int = 0  # transfers
    files: int = 0

    def reference(self) -> str:
        self.sent += 1
        return f"DEMO-{self.run}-{self.sent:04d}"

    async def notify(self, txns: list[Txn]) -> None:
        """Drop a camt.054 with these transfers in the inbox and have it read now."""
        self.inbox.mkdir(parents=True, exist_ok=True)
        self.files += 1
        name = f"camt054-{self.run}-{self.files:03d}.xml"
        part = self.inbox / f"{name}.part"  # the inbox takes *.xml only: never half a file
        with part.open("wb") as out:
            write_camt054(out, notification_id=f"NTF-{self.run}-{self.files:03d}", entries=txns)
        part.rename(self.inbox / name)
        await self.api.call("POST", "/finance/bank-inbox/read", self.finance)

    def transfer(
        self, client: str, name: str, amount: int, on: date, *, reference: str = "", text: str = ""
    ) -> Txn:
        return Txn(
            amount,
            counterparty_name=name,
            counterparty_iban=PAYER_IBANS.get(client, ""),
            structured_ref=reference,
            unstructured=text,
            account_servicer_ref=self.reference(),
            booking_date=on,
        )
