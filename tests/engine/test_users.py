"""engine.users: sign-in throttling (lock after five wrong passwords per attempted name and client,
whether or not the name exists; reset on success), password changes by the user, and what
deactivation does to sign-in."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

import engine
from engine import users
from engine.errors import InvalidData
from engine.models import AuditEvent
from engine.models import User
from engine.models_auth import SignInThrottle
from tests.helpers import PASSWORD
from tests.helpers import Clock
from tests.helpers import World


@pytest.fixture
def people(db: sessionmaker[Session]) -> World:
    return World.build(db)  # personas only, no processes


def row(world: World, name: str) -> User:
    with world.db() as s:
        user = s.scalar(select(User).where(User.username == name))
        assert user is not None
        return user


def attempts(world: World, name: str, client: str = "") -> SignInThrottle:
    """The throttle row of (``name``, ``client``): an empty one when there is none."""
    with world.db() as s:
        found = s.scalar(select(SignInThrottle).where(SignInThrottle.username == name, SignInThrottle.client == client))
    return found or SignInThrottle(username=name, client=client, failures=0, locked_until=None)


def fail(world: World, name: str, times: int) -> None:
    for _ in range(times):
        assert users.authenticate(world.db, name, "wrong-password") is None


def test_the_right_password_signs_in_and_a_wrong_one_does_not(people: World, at: Clock) -> None:
    found = users.authenticate(people.db, "prov_a", PASSWORD)
    assert found is not None and found.id == people.uid("prov_a")
    assert users.authenticate(people.db, "prov_a", PASSWORD + "x") is None
    assert users.authenticate(people.db, "nobody", PASSWORD) is None
    assert attempts(people, "prov_a").failures == 1 and attempts(people, "nobody").failures == 1


def test_five_wrong_passwords_lock_the_username_even_for_the_right_password(people: World, at: Clock) -> None:
    fail(people, "prov_a", 4)
    assert attempts(people, "prov_a").locked_until is None
    fail(people, "prov_a", 1)
    locked = attempts(people, "prov_a")
    assert locked.failures == 5 and locked.locked_until == at.now() + timedelta(minutes=15)
    with pytest.raises(users.SignInLocked) as refused:
        users.authenticate(people.db, "prov_a", PASSWORD)
    assert refused.value.until == at.now() + timedelta(minutes=15)
    at.advance(minutes=14)
    with pytest.raises(users.SignInLocked):
        users.authenticate(people.db, "prov_a", PASSWORD)
    # Other users are not affected.
    assert users.authenticate(people.db, "prov_b", PASSWORD) is not None
    at.advance(minutes=2)
    assert users.authenticate(people.db, "prov_a", PASSWORD) is not None
    again = attempts(people, "prov_a")
    assert again.failures == 0 and again.locked_until is None


def test_a_wrong_password_after_a_lock_locks_again_for_longer(people: World, at: Clock) -> None:
    fail(people, "prov_a", 5)
    at.advance(minutes=16)
    fail(people, "prov_a", 1)
    assert attempts(people, "prov_a").locked_until == at.now() + timedelta(minutes=30)


def test_attempts_while_locked_do_not_extend_the_lock(people: World, at: Clock) -> None:
    fail(people, "prov_a", 5)
    until = attempts(people, "prov_a").locked_until
    at.advance(minutes=5)
    with pytest.raises(users.SignInLocked):
        users.authenticate(people.db, "prov_a", "wrong-password")
    assert attempts(people, "prov_a").locked_until == until and attempts(people, "prov_a").failures == 5


def test_a_success_resets_the_count_of_failures(people: World, at: Clock) -> None:
    fail(people, "prov_a", 4)
    assert users.authenticate(people.db, "prov_a", PASSWORD) is not None
    fail(people, "prov_a", 4)
    assert users.authenticate(people.db, "prov_a", PASSWORD) is not None


def test_a_lock_is_audited(people: World, at: Clock) -> None:
    fail(people, "prov_a", 5)
    with people.db() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in_locked")).all()
    assert [(e.actor_id, (e.data_after or {})["username"]) for e in events] == [(people.uid("prov_a"), "prov_a")]


def test_an_administrator_password_reset_lifts_the_lock(people: World, at: Clock) -> None:
    fail(people, "prov_a", 5)
    users.set_password(people.db, "prov_a", "a-new-password-1", user_id=engine.SYSTEM)
    assert users.authenticate(people.db, "prov_a", "a-new-password-1") is not None


def test_a_deactivated_user_cannot_sign_in(people: World, at: Clock) -> None:
    users.set_active(people.db, "prov_a", False, user_id=engine.SYSTEM)
    assert users.authenticate(people.db, "prov_a", PASSWORD) is None
    users.set_active(people.db, "prov_a", True, user_id=engine.SYSTEM)
    assert users.authenticate(people.db, "prov_a", PASSWORD) is not None


def test_changing_ones_own_password_needs_the_current_one(people: World, at: Clock) -> None:
    uid = people.uid("prov_a")
    version = row(people, "prov_a").session_version
    with pytest.raises(users.WrongPassword):
        users.change_password(people.db, uid, "not-the-password", "a-new-password-1")
    with pytest.raises(InvalidData):
        users.change_password(people.db, uid, PASSWORD, "short")
    assert users.change_password(people.db, uid, PASSWORD, "a-new-password-1") == version + 1
    assert users.authenticate(people.db, "prov_a", PASSWORD) is None
    assert users.authenticate(people.db, "prov_a", "a-new-password-1") is not None


def test_passwords_need_ten_characters(people: World) -> None:
    with pytest.raises(InvalidData):
        users.create_user(people.db, "newbie", "ministry", "nine-char", user_id=engine.SYSTEM)
    assert users.create_user(people.db, "newbie", "ministry", "ten-chars!", user_id=engine.SYSTEM).username == "newbie"


# --- the throttle does not tell which usernames exist ---------------------------------------------

def outcome(world: World, name: str, password: str, client: str = "198.51.100.7") -> str:
    try:
        return "signed in" if users.authenticate(world.db, name, password, client=client) else "refused"
    except users.SignInLocked as locked:
        return f"locked until {locked.until.isoformat()}"


def test_an_unknown_username_is_locked_exactly_like_a_known_one(people: World, at: Clock) -> None:
    known = [outcome(people, "prov_a", "wrong-password") for _ in range(7)]
    unknown = [outcome(people, "no-such-user", "wrong-password") for _ in range(7)]
    assert known == unknown
    assert known[:5] == ["refused"] * 5 and known[5].startswith("locked until")
    # The right password of the known account is refused while locked, as anything is for the other.
    assert outcome(people, "prov_a", PASSWORD).startswith("locked") and outcome(
        people, "no-such-user", PASSWORD).startswith("locked")


def test_the_throttle_is_per_client_and_per_normalized_name(people: World, at: Clock) -> None:
    for _ in range(5):
        outcome(people, "  PROV_A ", "wrong-password", client="203.0.113.1")
    assert outcome(people, "prov_a", "wrong-password", client="203.0.113.1").startswith("locked")
    assert attempts(people, "prov_a", "203.0.113.1").failures == 5
    # From another address the account still signs in (an attacker cannot lock its owner out).
    assert outcome(people, "prov_a", PASSWORD, client="203.0.113.2") == "signed in"


def test_unknown_and_known_names_take_similar_time(people: World, at: Clock) -> None:
    import time

    def seconds(name: str) -> float:
        start = time.perf_counter()
        for _ in range(3):
            outcome(people, name, "wrong-password", client=f"192.0.2.{len(name)}")
        return time.perf_counter() - start

    known, unknown = seconds("prov_a"), seconds("nobody-at-all")
    # Both verify one argon2 hash per attempt; neither is several times faster than the other.
    assert 0.3 < known / unknown < 3


def test_failures_older_than_a_day_are_forgotten(people: World, at: Clock) -> None:
    fail(people, "nobody-here", 4)
    at.advance(hours=25)
    fail(people, "nobody-here", 1)
    assert attempts(people, "nobody-here").failures == 1


def test_stale_pairs_are_pruned(people: World, at: Clock) -> None:
    from engine import throttle

    fail(people, "guess-1", 1)
    at.advance(hours=25)
    with people.db.begin() as s:
        throttle.prune(s, at.now())
    assert attempts(people, "guess-1").id is None  # gone
