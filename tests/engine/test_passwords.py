"""Finding: any ten characters were accepted as a password (1234567890, password12, the username
plus digits). A new password is checked against zxcvbn's common-password lists and the username
(NIST SP 800-63B 5.1.1.2), with the reason named."""
from __future__ import annotations

import pytest

import engine
from engine import users
from engine.errors import InvalidData
from tests.helpers import PASSWORD
from tests.helpers import World

REFUSED = [
    ("1234567890", "", "password_common"),
    ("password12", "", "password_common"),
    ("qwertyuiop", "", "password_common"),
    ("1q2w3e4r5t", "", "password_common"),
    ("woaini1314", "", "password_common"),
    ("iloveyou12", "", "password_common"),
    ("aaaaaaaaaaaa", "", "password_repeats"),
    ("abcdefghijkl", "", "password_sequence"),
    ("zhangwei12345", "zhangwei", "password_has_username"),
    ("prov_a12345", "prov_a", "password_has_username"),
    ("PROV-A-2026!", "prov_a", "password_has_username"),
    ("xa_vorp-9917", "prov_a", "password_has_username"),  # backwards
    ("99wangfang99", "wangfang", "password_has_username"),
]
ACCEPTED = [PASSWORD, "a-brand-new-password", "first-password-1", "schemeflow-demo", "Zq8!mutable-quiet",
            "绿色城市-2026-智慧"]


@pytest.mark.parametrize(("password", "username", "reason"), REFUSED)
def test_weak_passwords_are_refused_naming_why(password: str, username: str, reason: str) -> None:
    assert users.password_weakness(password, username) == reason
    with pytest.raises(InvalidData) as refused:
        users.check_password_strength(password, username)
    assert refused.value.reason == reason and refused.value.details[0]["field"] == "password"


@pytest.mark.parametrize("password", ACCEPTED)
def test_good_passwords_are_accepted(password: str) -> None:
    assert users.password_weakness(password, "prov_a") is None


def test_the_length_rule_comes_first() -> None:
    assert users.password_weakness("abc", "abc") == "password_too_short"


def test_every_way_to_set_a_password_checks_it(world: World) -> None:
    with pytest.raises(InvalidData, match="common"):
        users.create_user(world.db, "li.ming", "ministry", "password12", user_id=engine.SYSTEM)
    with pytest.raises(InvalidData, match="username"):
        users.create_user(world.db, "li.ming", "ministry", "li.ming-2026", user_id=engine.SYSTEM)
    with pytest.raises(InvalidData, match="username"):
        users.set_password(world.db, "prov_a", "prov_a-secret", user_id=engine.SYSTEM)
    with pytest.raises(InvalidData, match="common"):
        users.change_password(world.db, world.uid("prov_a"), PASSWORD, "1234567890")
    assert users.authenticate(world.db, "prov_a", PASSWORD) is not None  # nothing changed
