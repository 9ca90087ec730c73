package cleanup

var checkAuthorizedKeys = Check{
	ID:       "authorized-keys",
	OS:       Linux,
	Severity: High,
	Summary:  "No authorized_keys entry for any account (any home, authorized_keys2, every AuthorizedKeysFile of sshd_config): the builder's key would open every instance",
	Needs:    []string{"/etc/passwd", "/etc/ssh/", "~/.ssh/"},
	Run:      runAuthorizedKeys,
}

func runAuthorizedKeys(t *Target) ([]Finding, error) {
	r := newReport("authorized-keys", High)
	files, err := loadAuthorizedKeys(t)
	r.fail(err)
	for _, f := range files {
		if f.Symlink != "" {
			r.add(f.Path, "authorized keys file is a symlink to %s", printable(f.Symlink, 200))
		}
		for _, k := range f.Keys {
			r.add(f.Path, "line %d authorizes %s", k.Line, keyName(k.Key, k.Comment))
		}
		for _, n := range f.Bad {
			r.add(f.Path, "line %d is not a valid key", n)
		}
	}
	return r.result()
}
