"""Presence tracking: when a phone is home, away or unknown, with time passed in."""

import math

from custom_components.rpi_security.engine.phone_habits import PhoneHabits
from custom_components.rpi_security.engine.presence import (
    ConfirmationRules,
    Detection,
    Presence,
    PresenceChange,
    PresenceTracker,
)

T0 = 1_700_000_000.0
MINUTE = 60.0
TIMEOUT = 10 * MINUTE
RULES = ConfirmationRules(away_timeout=TIMEOUT, rounds=3, round_spacing=2 * MINUTE)


def tracker(*phones: str, entities: tuple[str, ...] = ()) -> PresenceTracker:
    people = PresenceTracker.for_occupants(RULES, phones, entities)
    people.restore({}, T0 - 3600)
    return people


def ask(
    people: PresenceTracker, phone: str, answered: bool | None, now: float
) -> PresenceChange | None:
    """One ARP round of one phone."""
    people.start_confirming([phone])
    return people.confirmed(phone, answered, now)


def silent_until_away(people: PresenceTracker, phone: str, limit: float) -> float:
    """Let the phone miss every round when due; when it is away (or ``limit``)."""
    now = people.due_at(phone)
    while now < limit:
        change = ask(people, phone, False, now)
        if change is not None and change.presence is Presence.AWAY:
            return now
        now = max(people.due_at(phone), now + 1)
    return math.inf


def learned(spell: float, count: int = 12) -> PhoneHabits:
    """Habits of a phone seen to ignore ARP at home for ``spell`` seconds."""
    habits = PhoneHabits()
    for _ in range(count):
        habits.deaf_at_home(spell)
        habits.first_round_at_home(missed=False)
    return habits


def test_a_phone_is_home_as_soon_as_it_is_heard() -> None:
    people = tracker("alice")
    change = people.heard("alice", T0, Detection.MULTICAST)
    assert change == PresenceChange(
        "alice", Presence.HOME, Presence.UNKNOWN, "multicast"
    )
    assert not change.arrived  # first heard, not back from away
    assert people.anyone_home
    assert people.heard("alice", T0 + 1, Detection.FRAME) is None  # no change


def test_a_phone_never_heard_stays_unknown_and_blocks_everyone_away() -> None:
    people = tracker("alice", "bob")
    people.heard("bob", T0, Detection.FRAME)
    # Alice's phone was just added and never answers: asked now and then...
    assert people.candidates(T0) == ["alice"]
    for minutes in range(0, 24 * 60, 10):
        ask(people, "alice", False, T0 + minutes * MINUTE)
    assert people.occupants["alice"].presence is Presence.UNKNOWN
    # ...so Bob leaving does not make "everyone away".
    assert silent_until_away(people, "bob", T0 + 3 * 3600) < math.inf
    assert not people.everyone_away


def test_away_needs_the_timeout_several_rounds_and_minutes_of_deafness() -> None:
    people = tracker("alice")
    people.heard("alice", T0, Detection.MULTICAST, ip="192.0.2.10")
    # Asked only after the away timeout.
    assert people.next_deadline() == T0 + TIMEOUT
    assert ask(people, "alice", False, T0 + TIMEOUT) is None
    # A new phone must ignore ARP for 15 minutes (it may be a locked iPhone),
    # in at least 4 rounds (one round in ten assumed missed at home).
    alice = people.occupants["alice"]
    assert people.rounds_needed(alice, T0) == 4
    assert people.deafness_needed(alice, T0) == 15 * MINUTE
    away_at = silent_until_away(people, "alice", T0 + 3600)
    assert away_at == T0 + TIMEOUT + 16 * MINUTE  # the first round 15 min on
    assert people.everyone_away
    assert alice.ip == "192.0.2.10"  # kept for asking it later


def test_one_answer_and_it_is_home_again_and_asked_later() -> None:
    people = tracker("alice")
    people.heard("alice", T0, Detection.MULTICAST)
    for number in range(5):
        ask(people, "alice", False, T0 + TIMEOUT + number * 2 * MINUTE)
    now = T0 + TIMEOUT + 10 * MINUTE
    assert ask(people, "alice", True, now) is None
    alice = people.occupants["alice"]
    assert alice.presence is Presence.HOME
    assert alice.missed_rounds == 0
    assert alice.detection is Detection.ARP
    # It was deaf for 10 minutes at home: that is learned.
    assert alice.habits.deaf_spells == [600]
    assert people.next_deadline() > now


def test_a_packet_during_a_round_wins() -> None:
    people = tracker("alice")
    people.heard("alice", T0, Detection.FRAME)
    people.start_confirming(["alice"])
    people.heard("alice", T0 + TIMEOUT + 1, Detection.PROBE_REQUEST)
    assert people.confirmed("alice", False, T0 + TIMEOUT + 3) is None
    assert people.occupants["alice"].missed_rounds == 0


def test_learned_deaf_spells_set_how_long_each_phone_must_be_deaf() -> None:
    people = tracker("android", "iphone")
    people.occupants["android"].habits = learned(3 * MINUTE)
    people.occupants["iphone"].habits = learned(12 * MINUTE)
    for phone in ("android", "iphone"):
        people.heard(phone, T0, Detection.MULTICAST)
    android = silent_until_away(people, "android", T0 + 3 * 3600)
    iphone = silent_until_away(people, "iphone", T0 + 3 * 3600)
    # 1.25 times the longest deaf spell seen, past the away timeout.
    assert android - T0 == TIMEOUT + 4 * MINUTE
    assert iphone - T0 == TIMEOUT + 16 * MINUTE
    # Rounds are spread over that time, never closer than 30 s.
    assert people.round_spacing(people.occupants["android"], T0) == 80.0


def test_a_phone_that_often_misses_a_round_is_asked_more_times() -> None:
    habits = learned(4 * MINUTE)
    for _ in range(30):
        habits.first_round_at_home(missed=True)
    people = tracker("alice")
    people.occupants["alice"].habits = habits
    assert habits.miss_rate > 0.6
    assert people.rounds_needed(people.occupants["alice"], T0) == 10


def test_a_chatty_phone_is_asked_sooner_a_quiet_one_later() -> None:
    people = tracker("chatty", "quiet")
    for seconds in range(0, 300, 30):
        people.heard("chatty", T0 + seconds, Detection.MULTICAST)
    for minutes in range(0, 120, 40):
        people.heard("quiet", T0 + minutes * MINUTE, Detection.MULTICAST)
    assert people.ask_after(people.occupants["chatty"]) == 2 * MINUTE
    # Asked at twice the away timeout at most.
    assert people.ask_after(people.occupants["quiet"]) == 2 * TIMEOUT


def test_stricter_at_night() -> None:
    people = tracker("alice")
    people.is_night = lambda _now: True
    alice = people.occupants["alice"]
    alice.habits = learned(4 * MINUTE)
    assert people.silence_needed(alice, T0) == 1.5 * TIMEOUT
    assert people.deafness_needed(alice, T0) == 1.5 * 5 * MINUTE
    assert people.rounds_needed(alice, T0) == 5


def test_stricter_shortly_after_someone_was_seen_inside() -> None:
    people = tracker("alice")
    alice = people.occupants["alice"]
    before = people.rounds_needed(alice, T0)
    people.saw_someone_inside(T0)
    assert people.rounds_needed(alice, T0 + 29 * MINUTE) == before + 1
    assert people.rounds_needed(alice, T0 + 31 * MINUTE) == before


def test_with_door_contacts_a_door_since_the_phone_spoke_matters() -> None:
    people = tracker("alice")
    people.watches_doors = True
    alice = people.occupants["alice"]
    alice.habits = learned(4 * MINUTE)
    people.heard("alice", T0, Detection.MULTICAST)
    # Nobody opened a door: more likely deaf than gone.
    assert people.deafness_needed(alice, T0) == 1.5 * 5 * MINUTE
    assert people.next_deadline() == T0 + TIMEOUT
    # A door opens a minute later: asked two minutes after it.
    people.door_opened_now(T0 + MINUTE)
    assert people.deafness_needed(alice, T0) == 5 * MINUTE
    assert people.next_deadline() == T0 + 3 * MINUTE


def test_a_doubtful_return_is_not_an_arrival_and_is_learned() -> None:
    people = tracker("alice")
    people.heard("alice", T0, Detection.MULTICAST)
    away_at = silent_until_away(people, "alice", T0 + 3600)
    # The phone on the charger answers ARP soon after: it never left.
    change = ask(people, "alice", True, away_at + 2 * MINUTE)
    assert change is not None
    assert change.presence is Presence.HOME
    assert not change.arrived
    spell = people.occupants["alice"].habits.deaf_spells[-1]
    assert spell == away_at + 2 * MINUTE - (T0 + TIMEOUT)
    # Nor is its own chatter.
    away_at = silent_until_away(people, "alice", away_at + 3 * 3600)
    change = people.heard("alice", away_at + MINUTE, Detection.MULTICAST)
    assert change is not None
    assert not change.arrived


def test_joining_the_network_is_an_arrival() -> None:
    people = tracker("alice")
    people.heard("alice", T0, Detection.MULTICAST)
    away_at = silent_until_away(people, "alice", T0 + 3600)
    for detection in (Detection.DHCP, Detection.LINK_UP, Detection.ASSOCIATION):
        change = people.heard("alice", away_at + MINUTE, detection)
        assert change is not None
        assert change.arrived
        away_at = silent_until_away(people, "alice", away_at + 3 * 3600)


def test_an_answer_after_a_real_absence_is_an_arrival() -> None:
    people = tracker("alice")
    people.heard("alice", T0, Detection.MULTICAST)
    away_at = silent_until_away(people, "alice", T0 + 3600)
    # Away phones are polled every two minutes; it misses them for 20 minutes.
    now = away_at
    while now < away_at + 20 * MINUTE:
        now = people.due_at("alice")
        assert now - (people.occupants["alice"].last_checked or 0) == 2 * MINUTE
        ask(people, "alice", False, now)
    change = ask(people, "alice", True, now + 2 * MINUTE)
    assert change is not None
    assert change.arrived


def test_a_corroborating_source_must_agree_before_away() -> None:
    people = tracker("alice")
    people.heard("alice", T0, Detection.MULTICAST)
    people.corroborate("alice", True, T0)
    # The network says gone, the person is home: the phone stays home.
    assert silent_until_away(people, "alice", T0 + 2 * 3600) == math.inf
    # The person leaves: the next round decides.
    assert people.corroborate("alice", False, T0 + 2 * 3600) is None
    change = ask(people, "alice", False, people.due_at("alice"))
    assert change is not None
    assert change.presence is Presence.AWAY


def test_the_source_leaving_asks_the_phone_at_once_and_arriving_brings_it_home() -> (
    None
):
    people = tracker("alice")
    people.occupants["alice"].habits = learned(3 * MINUTE)
    people.heard("alice", T0, Detection.MULTICAST)
    people.corroborate("alice", True, T0)
    people.corroborate("alice", False, T0 + 3 * MINUTE)
    assert people.next_deadline() == T0 + 3 * MINUTE
    # Away once the rounds agree, without waiting for the away timeout.
    away_at = silent_until_away(people, "alice", T0 + 3600)
    assert away_at - T0 < TIMEOUT
    # The Companion app reports the home zone: back before the door opens.
    change = people.corroborate("alice", True, away_at + 3600)
    assert change is not None
    assert change.arrived
    assert change.detection is Detection.ENTITY


def test_a_new_address_keeps_the_phone_home_but_never_disarms() -> None:
    people = tracker("alice")
    people.heard("alice", T0, Detection.MULTICAST)
    away_at = silent_until_away(people, "alice", T0 + 3600)
    change = people.heard_new_address("alice", "02:00:00:00:99:01", away_at + 600)
    assert change is not None
    assert change.presence is Presence.HOME
    assert not change.arrived
    assert people.occupants["alice"].new_address == "02:00:00:00:99:01"


def test_presence_entities_report_directly() -> None:
    people = tracker(entities=("carol",))
    assert people.set_presence("carol", True, T0).presence is Presence.HOME
    change = people.set_presence("carol", False, T0 + 10)
    assert change.presence is Presence.AWAY
    assert people.everyone_away
    assert people.candidates(T0 + 10_000) == []  # entities are never asked
    assert people.set_presence("carol", True, T0 + 20).arrived
    assert people.set_presence("nobody", True, T0) is None


def test_no_round_possible_leaves_the_phone_out_not_away() -> None:
    people = tracker("alice", entities=("bob_person",))
    people.heard("alice", T0, Detection.FRAME)
    people.set_presence("bob_person", False, T0)
    change = ask(people, "alice", None, T0 + TIMEOUT)
    assert change is not None
    assert change.presence is Presence.UNDETERMINED
    assert people.everyone_away  # Bob's person entity decides alone
    assert people.candidates(T0 + 2 * TIMEOUT) == ["alice"]


def test_a_phone_gone_quiet_for_a_day_while_others_come_and_go() -> None:
    people = tracker("alice", "bob")
    people.heard("alice", T0, Detection.MULTICAST)
    people.heard("bob", T0, Detection.MULTICAST)
    day = 24 * 3600
    assert people.quiet_phones(T0 + day) == []  # Bob is quiet too: a holiday?
    people.heard("bob", T0 + day - 3600, Detection.DHCP)
    assert people.quiet_phones(T0 + day) == ["alice"]
    # A phone added and never heard counts from when it was added.
    never = tracker("carol", "bob")
    never.heard("bob", T0 + day, Detection.MULTICAST)
    assert never.quiet_phones(T0 + day) == ["carol"]


def test_restart_keeps_what_was_learned_and_starts_unknown() -> None:
    people = tracker("alice", "bob")
    people.occupants["alice"].habits = learned(7 * MINUTE)
    people.heard("alice", T0, Detection.DHCP, ip="192.0.2.10")
    people.occupants["alice"].hostname = "alices-phone"
    people.heard("bob", T0, Detection.MULTICAST)
    silent_until_away(people, "bob", T0 + 3600)
    saved = people.snapshot()

    restored = PresenceTracker.for_occupants(RULES, ["alice", "bob", "carol"])
    restored.restore(
        {**saved, "gone": {"presence": "home"}, "carol": {"presence": "sideways"}},
        T0 + 3600,
    )
    alice, bob = restored.occupants["alice"], restored.occupants["bob"]
    assert alice.habits.snapshot() == people.occupants["alice"].habits.snapshot()
    assert alice.ip == "192.0.2.10"
    assert alice.hostname == "alices-phone"
    assert alice.ever_seen
    # Unknown until confirmed again, and asked at once.
    assert alice.presence is bob.presence is Presence.UNKNOWN
    assert restored.candidates(T0 + 3600) == ["alice", "bob", "carol"]
    assert not restored.everyone_away
    # Bob was away: joining now is an arrival.
    change = restored.heard("bob", T0 + 3700, Detection.DHCP)
    assert change is not None
    assert change.arrived
    # Unreadable data is ignored; a phone not in the snapshot is new.
    assert restored.occupants["carol"].known_since == T0 + 3600
    assert "gone" not in restored.occupants
