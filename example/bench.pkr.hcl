# Used by `make bench`: one sanitize provisioner, nothing else, so the SSH traffic counted
# in Packer's log is the provisioner's own.
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
variable "operations" { type = list(string) }
variable "verify" { type = bool }

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
    operations = var.operations
    verify     = var.verify
    on_residue = "warn" # a partial selection leaves residue; the bench measures cost only
  }
}
