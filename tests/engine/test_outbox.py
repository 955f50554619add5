"""The outbox's order, retries, expiry and persistence, with time passed in."""

from custom_components.rpi_security.engine.outbox import Outbox, RateLimiter


def test_each_target_gets_its_alerts_in_order() -> None:
    outbox = Outbox()
    first = outbox.add("telegram", {"n": 1}, 0.0)
    outbox.add("telegram", {"n": 2}, 0.1)
    pushover = outbox.add("pushover", {"n": 1}, 0.2)
    outbox.saved(outbox.last_id)
    assert outbox.due(0.2) == [first, pushover]  # the head of each queue
    outbox.sending(first)
    assert outbox.due(0.2) == [pushover]
    outbox.delivered(first)
    assert [e.payload for e in outbox.due(0.3)] == [{"n": 2}, {"n": 1}]
    assert len(outbox) == 2


def test_a_failing_alert_holds_back_the_ones_behind_it() -> None:
    outbox = Outbox(first_retry=1, max_retry=300)
    head = outbox.add("telegram", {"n": 1}, 0.0)
    outbox.add("telegram", {"n": 2}, 0.0)
    outbox.saved(outbox.last_id)
    delays = []
    now = 0.0
    for _ in range(12):
        outbox.sending(head)
        retry = outbox.failed(head, now, "service missing")
        delays.append(retry - now)
        assert outbox.due(now) == []  # nothing overtakes it
        now = retry
    assert delays == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    assert head.attempts == 12
    assert head.last_error == "service missing"
    assert outbox.due(now) == [head]


def test_alerts_older_than_a_day_are_given_up() -> None:
    outbox = Outbox()
    old = outbox.add("telegram", {"n": 1}, 0.0)
    fresh = outbox.add("telegram", {"n": 2}, 80_000.0)
    outbox.saved(outbox.last_id)
    assert outbox.next_wakeup() == 0.0
    assert outbox.expire(86_400.0) == []
    assert outbox.expire(86_401.0) == [old]
    assert outbox.entries() == [fresh]


def test_snapshot_and_restore_keep_order_attempts_and_ids() -> None:
    outbox = Outbox()
    first = outbox.add("telegram", {"n": 1}, 0.0)
    outbox.add("telegram", {"n": 2}, 1.0)
    outbox.failed(first, 5.0, "timeout")
    restored = Outbox()
    restored.restore([*outbox.snapshot(), {"bad": True}])
    assert [e.payload for e in restored.entries()] == [{"n": 1}, {"n": 2}]
    assert restored.entries()[0].attempts == 1
    assert restored.due(5.5) == []  # its retry is at 6
    assert restored.add("telegram", {"n": 3}, 9.0).id == 3  # ids go on


def test_removed_targets_are_forgotten() -> None:
    outbox = Outbox()
    outbox.add("telegram", {}, 0.0)
    outbox.add("telegram", {}, 0.0)
    assert outbox.drop_target("telegram") == 2
    assert len(outbox) == 0
    assert outbox.next_wakeup() is None


def test_an_alert_goes_out_only_once_it_is_saved() -> None:
    outbox = Outbox()
    first = outbox.add("telegram", {"n": 1}, 0.0)
    assert outbox.unsaved == 1
    assert outbox.due(0.0) == []
    assert outbox.next_wakeup() is None  # nothing to wake up for, yet
    through = outbox.last_id
    second = outbox.add("telegram", {"n": 2}, 0.1)  # while the first is written
    outbox.saved(through)
    assert outbox.unsaved == 1
    assert outbox.due(0.1) == [first]
    outbox.sending(first)
    outbox.delivered(first)
    assert outbox.due(0.2) == []  # the second is not on disk yet
    outbox.saved(outbox.last_id)
    assert outbox.due(0.2) == [second]


def test_a_restored_outbox_is_on_disk() -> None:
    outbox = Outbox()
    outbox.add("telegram", {"n": 1}, 0.0)
    restored = Outbox()
    restored.restore(outbox.snapshot())
    assert restored.unsaved == 0
    assert [e.payload for e in restored.due(0.0)] == [{"n": 1}]


def test_rate_limit_per_key() -> None:
    limiter = RateLimiter(window=120)
    assert limiter.allow("front_door", 0)
    assert not limiter.allow("front_door", 119)
    assert limiter.allow("hallway", 119)
    assert limiter.allow("front_door", 120)
