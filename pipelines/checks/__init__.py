"""Checks that decide whether a year may be published."""
