"""The ``ged`` command: thin Typer commands over the core's services."""
