"""The GitHub REST API: settings from the runner, a client with bounded retries, the calls."""
