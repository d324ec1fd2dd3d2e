terraform {
  # 1.9: a variable's validation may refer to other variables (remote_signing_keys needs nixpkgs).
  required_version = ">= 1.9.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
  }
}
