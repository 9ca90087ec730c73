# As real as it gets without KVM: the qemu builder boots a Debian disk under TCG, the
# sanitize provisioner cleans it over SSH, Packer captures a qcow2, and sanitize-verify reads
# that qcow2 offline (MBR, ext4) and passes it. With skip_sanitize = ["qemu.vm"] the same
# build runs without the provisioner, and sanitize-verify fails it on the captured residue.
# The e2e test (e2e/qemu_test.go) runs both; scripts/e2e/vm-disk.sh makes the disk.
packer {
  required_plugins {
    sanitize = {
      source  = "github.com/goldenimage/sanitize"
      version = ">= 0.1.0"
    }
    qemu = {
      source  = "github.com/hashicorp/qemu"
      version = ">= 1.0.9"
    }
  }
}

variable "disk" {
  type        = string
  description = "Bootable raw disk (MBR, ext4, extlinux) with a packer account."
  default     = "disk.raw"
}
variable "ssh_key" {
  type    = string
  default = "rootfs.key"
}
variable "output_dir" {
  type    = string
  default = "output"
}
variable "report_path" {
  type    = string
  default = "sanitize-report.json"
}
variable "skip_sanitize" {
  type    = list(string)
  default = []
}

source "qemu" "vm" {
  accelerator      = "tcg"
  disk_image       = true
  iso_url          = var.disk
  iso_checksum     = "none"
  format           = "qcow2"
  disk_interface   = "virtio"
  skip_resize_disk = true
  memory           = 1024
  cpus             = 2
  headless         = true
  net_device       = "virtio-net"
  vnc_bind_address = "127.0.0.1"
  output_directory = var.output_dir
  vm_name          = "sanitized.qcow2"
  # restrict=on: the guest reaches nothing; the SSH forward listens on 127.0.0.1 only
  qemuargs = [
    ["-netdev", "user,id=user.0,restrict=on,hostfwd=tcp:127.0.0.1:{{ .SSHHostPort }}-:22"],
  ]
  communicator         = "ssh"
  ssh_username         = "packer"
  ssh_private_key_file = var.ssh_key
  ssh_timeout          = "15m"
  boot_wait            = "1s"
  shutdown_command     = "sudo -n systemctl poweroff"
  shutdown_timeout     = "5m"
}

build {
  sources = ["source.qemu.vm"]

  provisioner "sanitize" {
    except = var.skip_sanitize
  }

  post-processor "sanitize-verify" {
    report_path = var.report_path
  }
}
