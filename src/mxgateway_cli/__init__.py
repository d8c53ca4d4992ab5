"""mxgw-py: the MXAccess Gateway command line client (deterministic JSON)."""
