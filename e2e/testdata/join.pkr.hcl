# The join of the two halves: the sanitize provisioner cleans a live guest (the null builder
# over SSH to a chrooted sshd), then the guest's root filesystem becomes an ext4 image
# offline (the shell-local post-processor stops sshd and runs mkfs.ext4 -d), which
# sanitize-verify reads without booting it. With skip_sanitize = ["null.local"] the
# provisioner does not run, and the same planted rootfs must fail the verification.
# The zero-free-space proof (zerofill_test.go) reuses it with the rootfs on an ext4 image of
# its own: image_cmd unmounts it instead of making a new one, and the deep scan reads it.
packer {
  required_plugins {
    sanitize = {
      source  = "github.com/goldenimage/sanitize"
      version = ">= 0.1.0"
    }
  }
}

variable "ssh_port" { type = number }
variable "ssh_key" { type = string }
variable "rootfs" { type = string }
variable "image" { type = string }
variable "stop_cmd" { type = string }
variable "report_path" { type = string }
variable "skip_sanitize" {
  type    = list(string)
  default = []
}
variable "operations" {
  type    = list(string)
  default = ["defaults"]
}
variable "image_cmd" {
  type    = string
  default = "" # empty: build the image from the rootfs with mkfs.ext4 -d
}
variable "deep_scan" {
  type    = bool
  default = false
}

source "null" "local" {
  communicator         = "ssh"
  ssh_host             = "127.0.0.1"
  ssh_port             = var.ssh_port
  ssh_username         = "packer"
  ssh_private_key_file = var.ssh_key
  ssh_timeout          = "30s"
}

build {
  sources = ["source.null.local"]

  provisioner "sanitize" {
    except     = var.skip_sanitize
    operations = var.operations
  }

  post-processors {
    post-processor "shell-local" {
      inline = [
        var.stop_cmd,
        var.image_cmd != "" ? var.image_cmd : "rm -f ${var.image} && mkfs.ext4 -q -F -L root -d ${var.rootfs} ${var.image} 1G",
      ]
    }
    post-processor "sanitize-verify" {
      images      = [var.image]
      report_path = var.report_path
      deep_scan   = var.deep_scan
    }
  }
}
