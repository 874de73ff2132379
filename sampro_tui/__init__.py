"""SamPro's terminal client: the App, the API client, configuration and the CLI entry."""
