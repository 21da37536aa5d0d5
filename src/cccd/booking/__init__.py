"""Online booking of a session's time slots by citizens, no account (docs/booking.md)."""
