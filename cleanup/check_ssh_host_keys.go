package cleanup

import (
	"errors"
	"io/fs"
	"strings"
)

var checkSSHHostKeys = Check{
	ID:       "ssh-host-keys",
	OS:       Linux,
	Severity: High,
	Summary:  "No SSH host private key (/etc/ssh/ssh_host_*key or any private key under /etc/ssh): every instance would share one host identity",
	Needs:    []string{"/etc/ssh/"},
	Run:      runSSHHostKeys,
}

// maxKeyFileSize bounds what is read of a file that might hold a key; keys are small and
// the marker of an embedded one sits near the top.
const maxKeyFileSize = 1 << 20

func runSSHHostKeys(t *Target) ([]Finding, error) {
	r := newReport("ssh-host-keys", High)
	r.fail(walkInFS(t.FS, "etc/ssh", func(p string, d fs.DirEntry) error {
		name := d.Name()
		if !d.Type().IsRegular() || strings.HasSuffix(name, ".pub") {
			return nil
		}
		data, err := readResolved(t.FS, p, maxKeyFileSize)
		if err != nil && !errors.Is(err, errTooLarge) { // a longer file is judged by its start
			r.fail(err)
			return nil
		}
		desc, isKey := describePrivateKey(data)
		hostKeyName := strings.HasPrefix(name, "ssh_host_") && strings.HasSuffix(name, "key")
		switch {
		case isKey:
			r.add(p, "%s", desc)
		case hostKeyName && len(data) > 0:
			// sshd would try to load it: a host key in a format this parser lacks is still one
			r.add(p, "unparseable private key file")
		}
		return nil
	}))
	return r.result()
}
