"""Developer and operator commands: management, the terminal phone, benchmarks."""
