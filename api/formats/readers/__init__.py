"""RR-file readers, one module per format (registered in ..registry)."""
