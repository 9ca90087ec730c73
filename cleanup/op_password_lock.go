package cleanup

var opPasswordLock = Operation{
	ID:      "password-lock",
	OS:      Linux,
	Default: true,
	Summary: "Lock every account with a usable or empty password hash (keep_passwords exempts named accounts); remove group passwords",
	Script:  "password-lock.sh",
	Checks:  []string{"password-hashes"},
}
