package cleanup

var opMachineID = Operation{
	ID:      "machine-id",
	OS:      Linux,
	Default: true,
	Summary: "Empty /etc/machine-id and point /var/lib/dbus/machine-id at it, so every instance gets its own",
	Script:  "machine-id.sh",
	Checks:  []string{"machine-id"},
}
