package cleanup

import (
	"errors"
	"io/fs"
	"path"
	"strings"
)

// winCredentialFiles are the per-profile credential files: the same tools as on Linux
// (parsed by the same parsers), plus _netrc, the name curl and git use on Windows.
var winCredentialFiles = append(append([]credentialFile{}, credentialFiles...), credentialFile{"_netrc", parseNetrc})

// winCredentialDirs hold Credential Manager's DPAPI-protected credentials of a user.
var winCredentialDirs = []string{"AppData/Roaming/Microsoft/Credentials", "AppData/Local/Microsoft/Credentials"}

const winGcloudDir = "AppData/Roaming/gcloud"

var checkWinCloudCredentials = Check{
	ID:       "cloud-credentials",
	OS:       Windows,
	Severity: Critical,
	Summary:  "No cloud or registry credentials in any profile (.aws, .aliyun, .git-credentials, .docker\\config.json, .netrc/_netrc, AppData\\Roaming\\gcloud) and no Credential Manager credential saved by a user in C:\\Users (high)",
	Needs: append(homeNeeds([]string{".aws/", ".aliyun/", ".git-credentials", ".docker/config.json", ".netrc", "_netrc",
		winGcloudDir + "/", winCredentialDirs[0] + "/", winCredentialDirs[1] + "/"}), winProfileNeeds...),
	Run: runWinCloudCredentials,
}

func runWinCloudCredentials(t *Target) ([]Finding, error) {
	r := newReport("cloud-credentials", Critical)
	profiles, err := winProfiles(t.FS)
	r.fail(err)
	for _, prof := range profiles {
		for _, cf := range winCredentialFiles {
			p, data, err := winReadFile(t.FS, path.Join("/", prof, cf.rel), maxConfigSize)
			if err != nil && !errors.Is(err, errTooLarge) {
				r.fail(err)
				continue
			}
			r.fail(err)
			if msgs := cf.parse(data); len(msgs) > 0 {
				for _, m := range msgs {
					r.add(p, "%s", m)
				}
				continue
			}
			addSecretMatches(r, p, data)
		}
		r.fail(winWalk(t.FS, path.Join("/", prof, winGcloudDir), func(p string, d fs.DirEntry) error {
			if d.Type().IsRegular() && (gcloudCredentialNames[strings.ToLower(d.Name())] || strings.Contains(strings.ToLower(p), "/legacy_credentials/")) {
				r.add(p, "gcloud credentials file")
			}
			return nil
		}))
		if dir, _ := path.Split(prof); !strings.EqualFold(strings.TrimSuffix(dir, "/"), "Users") {
			continue // service profiles keep the credentials of scheduled tasks and services
		}
		for _, cd := range winCredentialDirs {
			r.fail(winWalk(t.FS, path.Join("/", prof, cd), func(p string, d fs.DirEntry) error {
				if d.Type().IsRegular() {
					r.addSeverity(High, p, "Credential Manager credential of %s", winProfileName(prof))
				}
				return nil
			}))
		}
	}
	return r.result()
}
