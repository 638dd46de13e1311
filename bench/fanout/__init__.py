"""Fan-out benchmark: one server process, a room of N members, and a lean client swarm that
measures each delivery.

Run as ``python -m bench.fanout.run``; results go to ``docs/performance.md``, never into assertions.
"""
