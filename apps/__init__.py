"""The project's Django apps: user, course, order."""
