"""Courses on sale and the courses each student owns."""
