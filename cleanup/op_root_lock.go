package cleanup

var opRootLock = Operation{
	ID:      "root-lock",
	OS:      Linux,
	Default: true,
	Summary: "Lock root's password (passwd -l root)",
	Script:  "root-lock.sh",
	Checks:  []string{"password-hashes"},
}
