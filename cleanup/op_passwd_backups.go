package cleanup

var opPasswdBackups = Operation{
	ID:      "passwd-backups",
	OS:      Linux,
	Default: true,
	Summary: "Shred /etc/passwd-, /etc/shadow-, /etc/group- and /etc/gshadow-",
	Script:  "passwd-backups.sh",
	Checks:  []string{"passwd-backups", "password-hashes"},
}
