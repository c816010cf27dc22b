"""Source kinds, one module each, behind the `Reader` interface in base.py.

Adding a source kind means adding one module with a `Reader` subclass and
registering it in `READERS` (see registry.py).
"""
