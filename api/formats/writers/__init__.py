"""Session export writers, one module per format (registered in ..registry)."""
