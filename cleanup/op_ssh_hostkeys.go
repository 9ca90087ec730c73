package cleanup

var opSSHHostKeys = Operation{
	ID:      "ssh-hostkeys",
	OS:      Linux,
	Default: true,
	Summary: "Shred every SSH host key (/etc/ssh/ssh_host_*key*); on systemd guests without cloud-init, install a first-boot unit that regenerates them",
	Script:  "ssh-hostkeys.sh",
	Checks:  []string{"ssh-host-keys"},
}
