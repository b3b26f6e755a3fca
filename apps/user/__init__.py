"""Students and their logins."""
