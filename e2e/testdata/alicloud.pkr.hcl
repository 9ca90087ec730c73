# sanitize-verify on an Alibaba Cloud custom image, in a real `packer build`: the test
# plugin's amifake-ami builder hands over an artifact shaped like alicloud-ecs's
# (alibaba.alicloud, "cn-hangzhou:m-…"); the post-processor speaks to the ECS and STS
# fakes the test serves on 127.0.0.1. In launch mode the fake ECS "runs" the instance as
# the harness's local sshd target.
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
variable "endpoint_ecs" { type = string }
variable "endpoint_sts" { type = string }
variable "verify_mode" { type = string }
variable "ssh_port" {
  type    = number
  default = 22
}

source "amifake-ami" "golden" {
  builder_id     = "alibaba.alicloud"
  artifact_id    = var.artifact_id
  destroy_marker = var.destroy_marker
}

build {
  sources = ["source.amifake-ami.golden"]

  post-processor "sanitize-verify" {
    report_path          = var.report_path
    on_residue           = "quarantine"
    approve_tags         = { status = "approved" }
    quarantine_tags      = { status = "quarantined" }
    alicloud_verify_mode = var.verify_mode

    alicloud {
      endpoint_ecs          = var.endpoint_ecs
      endpoint_sts          = var.endpoint_sts
      allowed_account_ids   = ["2222222222222222"]
      approve_metadata_only = true
      instance_type         = "ecs.t6-c1m1.large"
      vswitch_id            = "vsw-bp1e2e"
      security_group_id     = "sg-bp1e2e"
      ssh_port              = var.ssh_port
      launch_timeout        = "2m"
    }
  }
}
