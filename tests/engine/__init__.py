"""Unit tests of the engine: no Home Assistant, time passed in."""
