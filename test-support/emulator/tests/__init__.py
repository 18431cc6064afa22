"""Tests of the emulators: the discovery checks alone, then each model over real HTTP."""
