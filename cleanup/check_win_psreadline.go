package cleanup

import (
	"io/fs"
	"path"
	"strings"
)

// psReadLineDir is where PSReadLine saves each host's history (ConsoleHost_history.txt,
// "Visual Studio Code Host_history.txt", ...), relative to a profile.
const psReadLineDir = "AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine"

var checkWinPSReadLine = Check{
	ID:       "psreadline-history",
	OS:       Windows,
	Severity: Medium,
	Summary:  "No non-empty PowerShell (PSReadLine) history in any profile: ConsoleHost_history.txt keeps every command typed, secrets included",
	Needs:    append([]string{"~/" + psReadLineDir + "/"}, winProfileNeeds...),
	Run:      runWinPSReadLine,
}

func runWinPSReadLine(t *Target) ([]Finding, error) {
	r := newReport("psreadline-history", Medium)
	profiles, err := winProfiles(t.FS)
	r.fail(err)
	for _, prof := range profiles {
		r.fail(winWalk(t.FS, path.Join(prof, psReadLineDir), func(p string, d fs.DirEntry) error {
			if !d.Type().IsRegular() || !strings.HasSuffix(strings.ToLower(d.Name()), "_history.txt") {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				r.fail(err)
				return nil
			}
			if info.Size() > 0 {
				r.add(p, "PowerShell history of %s, %d bytes", winProfileName(prof), info.Size())
			}
			return nil
		}))
	}
	return r.result()
}
