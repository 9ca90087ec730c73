package cleanup

import (
	"io/fs"
	"strings"
)

// tmpRuntimeDirs hold X11/ICE sockets and locks of a running system, not build residue.
var tmpRuntimeDirs = map[string]bool{
	".X11-unix": true, ".ICE-unix": true, ".XIM-unix": true, ".font-unix": true, ".Test-unix": true,
}

var checkTmpFiles = Check{
	ID:       "tmp-files",
	OS:       Linux,
	Severity: Low,
	Summary:  "No regular file left under /tmp or /var/tmp",
	Needs:    []string{"/tmp/", "/var/tmp/"},
	Run:      runTmpFiles,
}

func runTmpFiles(t *Target) ([]Finding, error) {
	r := newCappedReport("tmp-files", Low)
	for _, dir := range []string{"/tmp", "/var/tmp"} {
		r.fail(walkInFS(t.FS, dir, func(p string, d fs.DirEntry) error {
			name := d.Name()
			if d.IsDir() && tmpRuntimeDirs[name] {
				return fs.SkipDir
			}
			if !d.Type().IsRegular() || strings.HasPrefix(name, ".X") && strings.HasSuffix(name, "-lock") {
				return nil
			}
			r.add(p, "temporary file left behind")
			return nil
		}))
	}
	return r.resultCapped("/tmp", "temporary files under /tmp and /var/tmp")
}
