"""Presentation: terminal tables, notebook HTML, DataFrames and pictures of a result."""
