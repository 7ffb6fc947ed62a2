"""Reading what a repository commits: metric files, model cards, distributions, git revisions.

Below `kinds/`: nothing here knows a rule. Every reader names the file (and line) of bad data
in one `DataError`.
"""
