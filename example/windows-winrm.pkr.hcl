# The sanitize provisioner on a Windows guest over WinRM. In the project's tests the "guest"
# is a fake WS-Man endpoint on 127.0.0.1 (e2e/wsman_fake_test.go): Packer's real WinRM
# communicator uploads the one PowerShell script and runs it, the fake answers. Against a
# real Windows machine, point winrm_host at it (and use TLS: winrm_use_ssl = true).
packer {
  required_plugins {
    sanitize = {
      source  = "github.com/goldenimage/sanitize"
      version = ">= 0.1.0"
    }
  }
}

variable "winrm_port" {
  type    = number
  default = 5985
}
variable "winrm_password" {
  type      = string
  sensitive = true
}
variable "report_path" {
  type    = string
  default = "sanitize-live-report.json"
}

source "null" "windows" {
  communicator   = "winrm"
  winrm_host     = "127.0.0.1"
  winrm_port     = var.winrm_port
  winrm_username = "packer"
  winrm_password = var.winrm_password
  winrm_insecure = true
  winrm_use_ssl  = false
  winrm_timeout  = "2m"
}

build {
  sources = ["source.null.windows"]

  # WinRM makes the guest a Windows one; the default operations end with Sysprep
  # (sysprep_mode = "auto"), which shuts the machine down: keep this provisioner last.
  provisioner "sanitize" {
    report_path = var.report_path
  }
}
