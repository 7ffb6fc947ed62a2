"""Carry out the decisions: the dispatch guards, the dispatch itself, the issue opener."""
