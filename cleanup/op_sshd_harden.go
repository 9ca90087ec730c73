package cleanup

var opSSHDHarden = Operation{
	ID:      "sshd-harden",
	OS:      Linux,
	Default: true,
	Summary: "Put PasswordAuthentication no, PermitRootLogin prohibit-password and PermitEmptyPasswords no at the top of sshd_config, where no include can override them (UseDNS no with sshd_use_dns_no)",
	Script:  "sshd-harden.sh",
	Checks:  []string{"sshd-config"},
}
