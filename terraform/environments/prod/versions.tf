terraform {
  required_version = ">= 1.6.0, < 2.0.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.82.2"
    }
    random = {
      source  = "hashicorp/random"
      version = "3.6.3"
    }
  }
  # State in S3 with locking; bucket and table are created once per account (docs/operations.md):
  # terraform init -backend-config=backend.hcl
  backend "s3" {
    key     = "receptionist/terraform.tfstate"
    encrypt = true
  }
}
