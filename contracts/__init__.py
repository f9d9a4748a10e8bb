"""The shared language of kulakan: money, quantities, errors, supplier protocol and events.

Pure: no I/O, and nothing of ours is imported here.
"""
