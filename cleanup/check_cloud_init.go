package cleanup

import (
	"io/fs"
	"path"
)

var checkCloudInit = Check{
	ID:       "cloud-init",
	OS:       Linux,
	Severity: Medium,
	Summary:  "No cloud-init instance state (/var/lib/cloud/instance, instances/*, data/): each instance must run cloud-init afresh, and the state holds the build's user-data",
	Needs:    []string{"/var/lib/cloud/"},
	Run:      runCloudInit,
}

func runCloudInit(t *Target) ([]Finding, error) {
	r := newReport("cloud-init", Medium)
	link, info, err := lstatInFS(t.FS, "/var/lib/cloud/instance")
	r.fail(err)
	if err == nil {
		if info.Mode()&fs.ModeSymlink != 0 {
			target, err := fs.ReadLink(t.FS, link)
			r.fail(err)
			r.add("/var/lib/cloud/instance", "link to the build's instance state (%s)", printable(target, 200))
		} else {
			r.add("/var/lib/cloud/instance", "the build's instance state")
		}
	}
	instances, err := globInFS(t.FS, "/var/lib/cloud/instances/*")
	r.fail(err)
	for _, p := range instances {
		msg := "state of instance " + printable(path.Base(p), 100)
		if _, _, err := statInFS(t.FS, p+"/user-data.txt"); err == nil {
			msg += ", with its user-data"
		}
		r.add(p, "%s", msg)
	}
	entries, err := globInFS(t.FS, "/var/lib/cloud/data/*")
	r.fail(err)
	if len(entries) > 0 {
		r.add("/var/lib/cloud/data", "cloud-init data of the build (%d entries, e.g. instance-id)", len(entries))
	}
	return r.result()
}
