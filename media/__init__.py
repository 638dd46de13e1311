"""Media server registry and allocation (HLS streaming, BigBlueButton, Janus, TURN, embedded SFU).

May import ``core`` and ``actors`` only; never ``catalog``.
"""
