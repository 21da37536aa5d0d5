"""Campaign planning without Django: the planner's instance and plan files, the solver, the greedy
baseline, the rule checker, and the what-if simulation of one session's queue.

Nothing here reads the database: `cccd.planner` (the Django app) builds an instance from the
register, the reach counters and the unit's history, and hands it here; `cccd plan` reads it from
a file. Both get the same plan for the same instance.
"""
