"""Load testing: the split deployment, the path router, the Locust callers and the report."""
