package cleanup

var opRemoveBuildUser = Operation{
	ID:      "remove-build-user",
	OS:      Linux,
	Default: false,
	Summary: "Delete the account Packer logged in as (ssh_username), its home and its sudoers.d entries; must be the last provisioner",
	Script:  "remove-build-user.sh",
	Checks:  []string{"build-user"},
}
