"""Pure domain logic: functions over plain data, no I/O."""
