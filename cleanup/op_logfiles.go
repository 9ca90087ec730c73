package cleanup

var opLogfiles = Operation{
	ID:      "logfiles",
	OS:      Linux,
	Default: true,
	Summary: "Truncate files under /var/log (wtmp, btmp, lastlog included), delete rotated logs and the systemd journal",
	Script:  "logfiles.sh",
	Checks:  []string{"logfiles"},
}
