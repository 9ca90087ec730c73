package cleanup

import (
	"bytes"
	"io/fs"
)

var checkMachineID = Check{
	ID:       "machine-id",
	OS:       Linux,
	Severity: Low,
	Summary:  "/etc/machine-id and /var/lib/dbus/machine-id are empty or \"uninitialized\", so each instance gets its own ID",
	Needs:    []string{"/etc/machine-id", "/var/lib/dbus/machine-id"},
	Run:      runMachineID,
}

func runMachineID(t *Target) ([]Finding, error) {
	r := newReport("machine-id", Low)
	for _, p := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		resolved, info, err := lstatInFS(t.FS, p)
		if err != nil {
			r.fail(err)
			continue
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			// systemd's own layout links the dbus copy to /etc/machine-id, checked above
			if target, err := resolveInFS(t.FS, resolved, true); err == nil && target == "etc/machine-id" {
				continue
			}
		}
		data, err := readFileInFS(t.FS, p, 4096)
		if err != nil {
			r.fail(err)
			continue
		}
		// "uninitialized" is systemd's first-boot marker; an empty file means the same
		id := bytes.TrimSpace(data)
		if len(id) > 0 && !bytes.Equal(id, []byte("uninitialized")) {
			r.add(p, "holds the build's machine ID: every instance would share it")
		}
	}
	return r.result()
}
