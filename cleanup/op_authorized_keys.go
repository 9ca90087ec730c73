package cleanup

var opAuthorizedKeys = Operation{
	ID:      "authorized-keys",
	OS:      Linux,
	Default: true,
	Summary: "Empty authorized_keys and authorized_keys2 of every account in /etc/passwd and every AuthorizedKeysFile in sshd_config; symlinks are removed, never followed",
	Script:  "authorized-keys.sh",
	Checks:  []string{"authorized-keys", "packer-key"},
}
