"""One migration script per schema revision, oldest first (0001_initial, ...)."""
