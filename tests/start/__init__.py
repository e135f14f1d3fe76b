"""A real Home Assistant start with the integration, run without the test harness."""
