package cleanup

import (
	"io/fs"
	"regexp"
	"strings"
)

var checkLogfiles = Check{
	ID:       "logfiles",
	OS:       Linux,
	Severity: Low,
	Summary:  "No non-empty log under /var/log: current and rotated logs, login records (wtmp, btmp, lastlog), journal files",
	Needs:    []string{"/var/log/"},
	Run:      runLogfiles,
}

// rotatedLog matches logrotate's names: syslog.1, messages.2.gz, dpkg.log.old, secure-20240101.
var rotatedLog = regexp.MustCompile(`\.[0-9]+(\.(gz|xz|bz2|zst))?$|\.(gz|xz|bz2|zst|old)$|-[0-9]{8}(\.(gz|xz|bz2|zst))?$`)

// loginRecords are binary logs of who logged in from where.
var loginRecords = map[string]bool{"wtmp": true, "btmp": true, "lastlog": true, "faillog": true}

func runLogfiles(t *Target) ([]Finding, error) {
	r := newCappedReport("logfiles", Low)
	r.fail(walkInFS(t.FS, "/var/log", func(p string, d fs.DirEntry) error {
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			r.fail(err)
			return nil
		}
		if info.Size() == 0 {
			return nil
		}
		name := d.Name()
		switch {
		case strings.HasSuffix(name, ".journal") || strings.HasSuffix(name, ".journal~"):
			r.add(p, "systemd journal file, %d bytes", info.Size())
		case loginRecords[name]:
			r.add(p, "login records, %d bytes", info.Size())
		case rotatedLog.MatchString(name):
			r.add(p, "rotated log, %d bytes", info.Size())
		default:
			r.add(p, "log file, %d bytes", info.Size())
		}
		return nil
	}))
	return r.resultCapped("/var/log", "non-empty files under /var/log")
}
