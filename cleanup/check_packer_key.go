package cleanup

import (
	"errors"

	"golang.org/x/crypto/ssh"
)

var checkPackerKey = Check{
	ID:       "packer-key",
	OS:       Linux,
	Severity: Critical,
	Summary:  "Packer's temporary SSH key is in no authorized_keys file: whoever holds the build's key could log in to every instance",
	Needs:    []string{"/etc/passwd", "/etc/ssh/", "~/.ssh/"},
	Run:      runPackerKey,
}

func runPackerKey(t *Target) ([]Finding, error) {
	r := newReport("packer-key", Critical)
	if t.PackerPublicKey == "" {
		return nil, nil // the build used no temporary key: nothing to look for
	}
	packer, _, _, _, err := ssh.ParseAuthorizedKey([]byte(t.PackerPublicKey))
	if err != nil {
		return nil, errors.New("Packer's public key (generated_data.SSHPublicKey) does not parse: cannot look for it")
	}
	want := ssh.FingerprintSHA256(packer)
	files, err := loadAuthorizedKeys(t)
	r.fail(err)
	for _, f := range files {
		for _, k := range f.Keys {
			if ssh.FingerprintSHA256(k.Key) == want {
				r.add(f.Path, "line %d authorizes Packer's temporary %s", k.Line, keyName(k.Key, ""))
			}
		}
	}
	return r.result()
}
