"""Infrastructure checks: Docker, Kubernetes, Terraform and GitHub Actions, without a cluster or AWS."""
