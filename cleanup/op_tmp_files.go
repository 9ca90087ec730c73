package cleanup

var opTmpFiles = Operation{
	ID:      "tmp-files",
	OS:      Linux,
	Default: true,
	Summary: "Remove everything in /tmp and /var/tmp (Packer's uploaded scripts and env-var files included), keeping systemd private dirs and X11 socket dirs",
	Script:  "tmp-files.sh",
	Checks:  []string{"tmp-files", "packer-leftovers"},
}
