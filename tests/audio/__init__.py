"""Tests of the audio family."""
