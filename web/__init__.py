"""The agents' web UI and JSON API (FastAPI, server-rendered French pages)."""
