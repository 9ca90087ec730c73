# Verify a disk image offline: the core `file` builder hands an image file (raw, qcow2,
# tar rootfs, ...) to sanitize-verify, which reads its filesystems without booting it and
# fails the build when credential residue is left. On failure Packer deletes the builder's
# artifact (here: the copy at var.target), so a dirty image never leaves the build.
packer {
  required_plugins {
    sanitize = {
      source  = "github.com/goldenimage/sanitize"
      version = ">= 0.1.0"
    }
  }
}

variable "image" {
  type        = string
  default     = "disk.img"
  description = "The disk image to verify."
}
variable "target" {
  type    = string
  default = "output/image.raw"
}
variable "report_path" {
  type    = string
  default = "sanitize-report.json"
}

source "file" "image" {
  source = var.image
  target = var.target
}

build {
  sources = ["source.file.image"]

  post-processor "sanitize-verify" {
    fail_on     = "medium"
    report_path = var.report_path

    allow {
      check  = "machine-id"
      reason = "systemd regenerates it at first boot"
    }
  }
}
