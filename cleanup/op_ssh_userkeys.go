package cleanup

var opSSHUserKeys = Operation{
	ID:      "ssh-userkeys",
	OS:      Linux,
	Default: true,
	Summary: "Shred private keys in every account's ~/.ssh (id_rsa, id_ed25519, any file holding a private key)",
	Script:  "ssh-userkeys.sh",
	Checks:  []string{"private-keys"},
}
