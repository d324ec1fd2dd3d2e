terraform {
  # terraform_data is built in from 1.4; the other modules need 1.9.
  required_version = ">= 1.9.0, < 2.0.0"

  required_providers {
    external = {
      source  = "hashicorp/external"
      version = ">= 2.3, < 3.0"
    }
  }
}
