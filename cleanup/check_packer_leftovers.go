package cleanup

// packerLeftovers are what Packer and its common provisioners write on a Linux guest:
// the shell provisioner's script_<n>.sh and varfile_<n>.sh in its remote folder (/tmp by
// default), the staging directories of ansible-local, chef, puppet, salt, converge
// ("/tmp/packer-…"), and this plugin's own uploaded script.
var packerLeftovers = []string{
	"/tmp/script_*.sh",
	"/tmp/varfile_*.sh",
	"/tmp/packer-*",
	"/var/tmp/packer-*",
	"/tmp/sanitize-*",
	"/var/tmp/sanitize-*",
}

var checkPackerLeftovers = Check{
	ID:       "packer-leftovers",
	OS:       Linux,
	Severity: Medium,
	Summary:  "No script, variable file or staging directory left by Packer's provisioners in /tmp or /var/tmp",
	Needs:    packerLeftovers,
	Run:      runPackerLeftovers,
}

func runPackerLeftovers(t *Target) ([]Finding, error) {
	r := newReport("packer-leftovers", Medium)
	for _, pattern := range packerLeftovers {
		names, err := globInFS(t.FS, pattern)
		r.fail(err)
		for _, p := range names {
			r.add(p, "left by a Packer provisioner (matches %s)", pattern)
		}
	}
	return r.result()
}
