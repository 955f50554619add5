"""Adapters to the physical world, each with a simulated twin. No decisions here."""
