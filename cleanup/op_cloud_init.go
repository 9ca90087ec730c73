package cleanup

var opCloudInit = Operation{
	ID:      "cloud-init",
	OS:      Linux,
	Default: true,
	Summary: "cloud-init clean --logs where cloud-init is installed, else remove /var/lib/cloud instance data",
	Script:  "cloud-init.sh",
	Checks:  []string{"cloud-init"},
}
