# The plugin's main job on a local target: Packer's null builder logs in over SSH to a Debian
# rootfs served by its own sshd on 127.0.0.1 (scripts/e2e/sshd.sh), the sanitize provisioner
# cleans it, a shell provisioner shows the build goes on without the removed key, and a
# second sanitize pass shows the cleanup is idempotent. `make demo` runs it.
packer {
  required_plugins {
    sanitize = {
      source  = "github.com/goldenimage/sanitize"
      version = ">= 0.1.0"
    }
  }
}

variable "ssh_port" {
  type    = number
  default = 2222
}
variable "ssh_key" {
  type        = string
  description = "Private key of the build account (packer) on the target."
}
variable "operations" {
  type    = list(string)
  default = ["defaults"]
}
variable "report_path" {
  type    = string
  default = "sanitize-live-report.json"
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
    operations  = var.operations
    report_path = var.report_path
  }

  # Runs over the same connection, after authorized_keys were emptied.
  provisioner "shell" {
    inline = ["echo \"still connected as $(id -un)\"", "sudo -n touch /var/lib/sanitize-after-marker"]
  }

  # A second pass cleans what the shell provisioner left and must find nothing else to do.
  provisioner "sanitize" {
    operations = var.operations
  }
}
