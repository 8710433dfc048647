"""The folder-watching daemon, the scheduler and the robots (issues 3 and 7). Calls ged services only."""
