"""Tests of the RPi Security integration."""
