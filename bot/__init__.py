"""Kyodo's core: domain rules, ports, services and dialogs, free of any framework."""
