package cleanup

var opPackerKey = Operation{
	ID:      "packer-key",
	OS:      Linux,
	Default: true,
	Summary: "Remove Packer's temporary public key (generated_data.SSHPublicKey) from every authorized_keys file",
	Script:  "packer-key.sh",
	Checks:  []string{"packer-key"},
}
