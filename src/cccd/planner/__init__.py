"""The campaign planner: propose sessions that reach the most people by the deadline, let the
leader edit and accept them, and predict each session's queue (the pure parts: `cccd.planning`)."""
