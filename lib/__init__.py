"""Project libraries that are not Django apps."""
