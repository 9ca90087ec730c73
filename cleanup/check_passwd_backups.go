package cleanup

var passwdBackups = []string{"/etc/passwd-", "/etc/shadow-", "/etc/group-", "/etc/gshadow-"}

var checkPasswdBackups = Check{
	ID:       "passwd-backups",
	OS:       Linux,
	Severity: Low,
	Summary:  "No backup of the account files (/etc/passwd-, /etc/shadow-, /etc/group-, /etc/gshadow-): they keep accounts and hashes the build removed",
	Needs:    passwdBackups,
	Run:      runPasswdBackups,
}

func runPasswdBackups(t *Target) ([]Finding, error) {
	r := newReport("passwd-backups", Low)
	for _, p := range passwdBackups {
		_, _, err := lstatInFS(t.FS, p)
		if err == nil {
			r.add(p, "backup of an account file left by the tools that edited it")
		}
		r.fail(err)
	}
	return r.result()
}
