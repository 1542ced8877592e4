"""formats.report."""
