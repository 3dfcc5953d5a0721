"""The policy files shipped with the library (``current.toml``, ``legacy.toml``)."""
