"""Application services: the only entry points drivers (CLI, robots, web) call."""
