# The smallest useful setup: the user's own provisioning, then sanitize as the last
# provisioner with the default operations and live verification.
packer {
  required_plugins {
    sanitize = {
      source  = "github.com/goldenimage/sanitize"
      version = ">= 0.1.0"
    }
  }
}

source "null" "example" {
  communicator         = "ssh"
  ssh_host             = "127.0.0.1"
  ssh_username         = "packer"
  ssh_private_key_file = "id_ed25519"
}

build {
  sources = ["source.null.example"]

  provisioner "shell" {
    inline = ["sudo -n apt-get update"]
  }

  provisioner "sanitize" {
    operations     = ["defaults", "-logfiles", "+zero-free-space"]
    keep_passwords = ["console"]
    fail_on        = "medium"
  }
}
