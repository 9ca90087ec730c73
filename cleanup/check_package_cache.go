package cleanup

import (
	"io/fs"
	"strings"
)

// packageCaches are where apt, yum, dnf and zypper keep downloaded packages. The package
// lists (/var/lib/apt/lists) are not residue: they are left alone.
var packageCaches = []string{"/var/cache/apt/archives", "/var/cache/yum", "/var/cache/dnf", "/var/cache/zypp/packages"}

var checkPackageCache = Check{
	ID:       "package-cache",
	OS:       Linux,
	Severity: Low,
	Summary:  "No downloaded package (*.deb, *.rpm) in the apt, yum, dnf or zypper caches",
	Needs:    []string{"/var/cache/apt/archives/", "/var/cache/yum/", "/var/cache/dnf/", "/var/cache/zypp/packages/"},
	Run:      runPackageCache,
}

func runPackageCache(t *Target) ([]Finding, error) {
	r := newCappedReport("package-cache", Low)
	for _, dir := range packageCaches {
		r.fail(walkInFS(t.FS, dir, func(p string, d fs.DirEntry) error {
			if d.Type().IsRegular() && (strings.HasSuffix(d.Name(), ".deb") || strings.HasSuffix(d.Name(), ".rpm")) {
				r.add(p, "cached package")
			}
			return nil
		}))
	}
	return r.resultCapped("/var/cache", "cached packages")
}
