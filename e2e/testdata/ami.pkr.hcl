# sanitize-verify on an AMI, in a real `packer build`: the test plugin's amifake-ami
# builder hands over an artifact shaped like amazon-ebs's (mitchellh.amazonebs,
# "us-east-1:ami-…"); the post-processor reads it through the EBS direct, EC2 and STS
# fakes the test serves on 127.0.0.1. With keep_artifact, a second chain keeps the
# builder's artifact, so Packer does not destroy (deregister) it when verification fails.
packer {
  required_plugins {
    sanitize = {
      source  = "github.com/goldenimage/sanitize"
      version = ">= 0.1.0"
    }
    amifake = {
      source  = "github.com/goldenimage/amifake"
      version = ">= 0.0.1"
    }
  }
}

variable "artifact_id" { type = string }
variable "destroy_marker" { type = string }
variable "report_path" { type = string }
variable "endpoint_ec2" { type = string }
variable "endpoint_ebs" { type = string }
variable "endpoint_sts" { type = string }
variable "keep_artifact" {
  type    = bool
  default = false
}

source "amifake-ami" "golden" {
  artifact_id    = var.artifact_id
  destroy_marker = var.destroy_marker
}

build {
  sources = ["source.amifake-ami.golden"]

  post-processor "sanitize-verify" {
    report_path     = var.report_path
    on_residue      = "quarantine"
    approve_tags    = { status = "approved", "security-level" = "trusted" }
    quarantine_tags = { status = "quarantined" }

    aws {
      endpoint_ec2        = var.endpoint_ec2
      endpoint_ebs        = var.endpoint_ebs
      endpoint_sts        = var.endpoint_sts
      allowed_account_ids = ["222222222222"]
      read_workers        = 8
    }
  }

  # A chain of its own: its first post-processor keeping its input keeps the builder's
  # artifact for the whole build, whatever the other chains return.
  post-processor "manifest" {
    except              = var.keep_artifact ? [] : ["amifake-ami.golden"]
    output              = "manifest.json"
    keep_input_artifact = true
  }
}
