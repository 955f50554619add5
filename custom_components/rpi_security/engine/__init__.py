"""The decisions of RPi Security, free of Home Assistant and of I/O."""
