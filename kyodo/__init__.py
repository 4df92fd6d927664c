"""Kyodo wired to the world: the composition root and the adapters that are not doors of their own.

`kyodo.app` is the one place that knows every part (store, transports, runtime loops, the desk,
the scheduler) and wires them together; `kyodo.scheduler` is the clock (APScheduler, the leader
lock); `kyodo.cli` is the shell (`kyodo run`, `kyodo export`, ...); `kyodo.demo` is the demo
co-op the sandbox opens with. Nothing in `bot`, `handlers`, `storage` or `sandbox` imports this
package: the arrow of imports points from here inward (import-linter holds it).
"""
