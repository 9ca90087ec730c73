package cleanup

import (
	"io/fs"
	"path"
)

var checkWinTmpFiles = Check{
	ID:       "tmp-files",
	OS:       Windows,
	Severity: Low,
	Summary:  "No file left in Windows\\Temp or in any profile's AppData\\Local\\Temp",
	Needs:    append([]string{"/Windows/Temp/", "~/AppData/Local/Temp/"}, winProfileNeeds...),
	Run:      runWinTmpFiles,
}

func runWinTmpFiles(t *Target) ([]Finding, error) {
	r := newCappedReport("tmp-files", Low)
	dirs := []string{"/Windows/Temp"}
	profiles, err := winProfiles(t.FS)
	r.fail(err)
	for _, prof := range profiles {
		dirs = append(dirs, path.Join("/", prof, "AppData/Local/Temp"))
	}
	for _, dir := range dirs {
		r.fail(winWalk(t.FS, dir, func(p string, d fs.DirEntry) error {
			if d.Type().IsRegular() {
				r.add(p, "temporary file left behind")
			}
			return nil
		}))
	}
	return r.resultCapped("/Windows/Temp", "temporary files")
}
