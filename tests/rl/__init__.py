"""Tests of the reinforcement-learning family."""
