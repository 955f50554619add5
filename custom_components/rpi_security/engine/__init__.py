"""The decisions of RPi Security, free of Home Assistant and of I/O.

Every module here is pure Python with time passed in (``now``, seconds since
the epoch). The glue feeds them what happened and carries out what they
return. For the alarm:

Building
    :func:`.areas.area_machine` (area id, :class:`.modes.AlarmSettings`,
    :class:`.sensors.Sensor` specs) gives one :class:`.alarm.AlarmMachine`
    per area; :class:`.areas.House` holds them (the first is the primary
    area, which a snapshot from before areas restores into). Sensor types
    and their default options: :mod:`.sensors` (and
    :func:`.sensors.type_for_device_class` for an existing entity); each
    mode's delays and sensors: :class:`.modes.ModeSettings`; cross-zone
    groups: :class:`.cross_zone.CrossZoneGroup`, in the area's settings.

Feeding
    ``House.sensor_changed(id, True | False | None, now)`` (``None``: the
    sensor became unavailable) reaches every area that has the sensor;
    ``House.sensor_seen`` gives a sensor's first level after a start (it is
    compared with its level at the stop: a change while nobody watched is
    an event). Schedule ``House.advance`` at ``House.deadline``.

Commands
    Per area: ``arm(mode, now, force=, bypass=, skip_delay=, changed_by=)``,
    ``check_arm`` (the same refusal, nothing changed), ``disarm``,
    ``trigger``, ``skip_delay``; the whole house: ``House.arm_all`` /
    ``House.disarm_all`` (a :class:`.areas.FanOut`: events, the areas done,
    each refusal). A refusal is an :class:`.events.AlarmError`:
    :class:`.events.ArmingRefusedError` carries the open and unavailable
    sensors, the mode and the area, what "Retry" and "Arm anyway"
    (``bypass=err.sensors``) need. Who may do what, per area:
    :meth:`.access.User.may`.

Results
    Lists of :class:`.events.AlarmEvent` (type, state, previous state, cause,
    area, sensors, kind of alarm). The whole house's state:
    :attr:`.areas.House.state`. Sirens and strobes:
    :class:`.sirens.SirenController` takes the same events and answers with
    the outputs to switch. Wall panels: :mod:`.wall_panel` parses commands
    and builds the state and event payloads.

Persisting
    ``House.snapshot(now)`` is ``{"areas": {id: machine snapshot}}``
    (:mod:`.alarm_snapshot` lists the keys); ``House.restore`` reads it, or
    the single-machine snapshot of earlier versions, and says which areas
    could not be read or were missing. ``SirenController.restore`` switches
    every output after a start (on only for a triggered area).
"""
