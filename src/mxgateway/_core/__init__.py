"""The no-I/O core: request building, reply parsing, value, status and event conversion."""
