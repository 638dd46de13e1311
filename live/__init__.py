"""The real-time domain: socket gateway, protocol dispatch, permissions and the room actors.

May import ``core``, ``actors`` and the public APIs of ``catalog`` and ``media``.
"""
