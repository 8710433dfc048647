"""The core: settings, storage, journal, search and the services that drivers call."""
