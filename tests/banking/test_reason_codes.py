from __future__ import annotations

import re

import pytest

from domain.banking.reason_codes import REASONS, explain, is_known

# The codes the EPC SCT rulebook uses for rejects, returns and recalls, and ops must understand.
SCT_CODES = (
    "AC01 AC04 AC06 AG01 AG02 AM04 AM05 BE04 CNOR DNOR FF01 MD07 MS02 MS03 RC01 RR01 RR02 "
    "RR03 RR04 TM01 DUPL FOCR CUST FRAD TECH"
).split()


@pytest.mark.parametrize("code", SCT_CODES)
def test_every_sct_code_has_a_sentence(code: str) -> None:
    assert is_known(code)
    assert explain(code).startswith(f"{code}: ")


def test_the_table_is_well_formed() -> None:
    for code, sentence in REASONS.items():
        assert re.fullmatch(r"[A-Z0-9]{4}", code)
        assert sentence[0].islower()  # it follows "CODE: "
        assert not sentence.endswith(".")


def test_examples() -> None:
    assert explain("AC04") == "AC04: the account is closed; ask the member for their new IBAN"
    assert explain(" md07 ") == (
        "MD07: the account holder has died; contact the member's family or estate"
    )


def test_an_unknown_code_still_gives_a_sentence() -> None:
    assert not is_known("ZZ99")
    assert explain("ZZ99") == (
        "ZZ99: a reason code we do not know; look it up in the ISO 20022 external code sets or "
        "ask the bank"
    )
    assert explain("") == "no reason code was given; ask the bank why"
