package cleanup

import (
	"errors"
	"io/fs"
	"path"
	"strings"
)

// gcloudCredentialNames are the files in which gcloud keeps tokens and keys (besides
// everything under legacy_credentials/).
var gcloudCredentialNames = map[string]bool{
	"credentials.db": true, "access_tokens.db": true, "application_default_credentials.json": true,
	"adc.json": true, ".boto": true,
}

var checkCloudCredentials = Check{
	ID:       "cloud-credentials",
	OS:       Linux,
	Severity: Critical,
	Summary:  "No cloud or registry credentials in any home: ~/.aws, ~/.aliyun, ~/.git-credentials, ~/.docker/config.json, ~/.netrc, ~/.config/gcloud",
	Needs: []string{"/etc/passwd", "~/.aws/", "~/.aliyun/", "~/.git-credentials", "~/.docker/config.json",
		"~/.netrc", "~/.config/gcloud/"},
	Run: runCloudCredentials,
}

func runCloudCredentials(t *Target) ([]Finding, error) {
	r := newReport("cloud-credentials", Critical)
	accounts, err := loadAccounts(t)
	if err != nil {
		return nil, err
	}
	for _, h := range homes(accounts) {
		for _, cf := range credentialFiles {
			p := path.Join(h.Path, cf.rel)
			data, err := readFileInFS(t.FS, p, maxConfigSize)
			if err != nil && !errors.Is(err, errTooLarge) {
				r.fail(err)
				continue
			}
			r.fail(err) // a truncated file cannot be cleared, but its start is still scanned
			if msgs := cf.parse(data); len(msgs) > 0 {
				for _, m := range msgs {
					r.add(p, "%s", m)
				}
				continue
			}
			addSecretMatches(r, p, data) // a file the parser could not read may still leak
		}
		r.fail(walkInFS(t.FS, path.Join(h.Path, ".config/gcloud"), func(p string, d fs.DirEntry) error {
			if d.Type().IsRegular() && (gcloudCredentialNames[d.Name()] || strings.Contains(p, "/legacy_credentials/")) {
				r.add(p, "gcloud credentials file")
			}
			return nil
		}))
	}
	return r.result()
}
