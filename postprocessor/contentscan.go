package postprocessor

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// contentScanCheck is the check ID of the content scan's findings.
const contentScanCheck = "content-scan"

// scanRoots are the places secrets are left in; every interactive account's home is added.
var scanRoots = []string{"/root", "/home", "/etc", "/opt", "/srv", "/usr/local", "/var/lib/cloud",
	"/var/spool/cron", "/var/www", "/tmp", "/var/tmp"}

// Bounds that keep the scan's time and memory in proportion to where secrets live, not to
// the image's size. Hitting the file or byte budget is "not verified", never a pass.
const (
	scanMaxFileSize = 1 << 20
	scanMaxFiles    = 200000
	scanMaxBytes    = 1 << 30
)

type contentScanner struct {
	fsys    fs.FS
	flagged map[string]bool // guest paths another check already named
	seen    map[string]bool
	files   int
	bytes   int64
	errs    []error // the walk's
	stopped error
	pool    *scanPool
	large   []string // guest paths of files over scanMaxFileSize, left out of the scan
}

// contentScan runs the catalogue's secret rules (cleanup.ScanSecrets) over the regular
// files of scanRoots, without following symlinks (a link's target is scanned where it
// lives, if that is in scope). Paths another check already reported are left out.
//
// A Windows system drive is scanned where builds leave files (see windowsScanRoots).
// A volume that is not a root filesystem (no /etc: an EFI System Partition, a separate
// /boot, /home or /srv) has no known layout, and may be mounted anywhere: all of it is
// scanned, within the same budget.
func contentScan(fsys fs.FS, flagged map[string]bool) ([]cleanup.Finding, error) {
	s := &contentScanner{fsys: fsys, flagged: flagged, seen: map[string]bool{}, pool: newScanPool(fsys)}
	roots := append(append([]string{}, scanRoots...), interactiveHomes(fsys)...)
	switch {
	case isWindowsSystemDrive(fsys):
		roots = windowsScanRoots(fsys)
	case !isRootFS(fsys):
		roots = []string{"."}
	}
	for _, root := range roots {
		if s.stopped != nil {
			break
		}
		s.walk(strings.TrimPrefix(path.Clean(root), "/"))
	}
	found, errs := s.pool.wait()
	if note, ok := s.largeFilesNote(); ok {
		found = append(found, note)
	}
	return found, errors.Join(append(append(s.errs, errs...), s.stopped)...)
}

// largeFilesNote says which files the scan left out for their size: out of scope by
// design (credentials live in small files), but said, never implied to be clean.
func (s *contentScanner) largeFilesNote() (cleanup.Finding, bool) {
	if len(s.large) == 0 {
		return cleanup.Finding{}, false
	}
	const listed = 5
	names := s.large[:min(len(s.large), listed)]
	more := ""
	if len(s.large) > listed {
		more = fmt.Sprintf(" and %d more", len(s.large)-listed)
	}
	return cleanup.Finding{Check: contentScanCheck, Severity: cleanup.Info, Path: names[0],
		Message: fmt.Sprintf("%d file(s) over %d MiB not content-scanned (out of scope; deep_scan reads every byte): %s%s",
			len(s.large), scanMaxFileSize>>20, strings.Join(names, ", "), more)}, true
}

// isRootFS tells a Linux root filesystem by its /etc.
func isRootFS(fsys fs.FS) bool {
	fi, err := fs.Stat(fsys, "etc")
	return err == nil && fi.IsDir()
}

func (s *contentScanner) walk(root string) {
	if root == "" {
		return // a home of "/" would mean the whole image
	}
	_ = fs.WalkDir(s.fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if !(p == root && errors.Is(err, fs.ErrNotExist)) {
				s.errs = append(s.errs, err)
			}
			return nil
		}
		if !d.Type().IsRegular() || s.seen[p] {
			return nil
		}
		s.seen[p] = true
		info, err := d.Info()
		if err != nil {
			s.errs = append(s.errs, err)
			return nil
		}
		if info.Size() > scanMaxFileSize {
			s.large = append(s.large, "/"+p) // out of scope, as documented, and said in the report
			return nil
		}
		if s.files >= scanMaxFiles || s.bytes+info.Size() > scanMaxBytes {
			s.stopped = fmt.Errorf("content scan stopped after %d files and %d bytes; the rest was not scanned", s.files, s.bytes)
			return fs.SkipAll
		}
		s.files++
		s.bytes += info.Size()
		if !s.flagged["/"+p] {
			s.pool.scan(p)
		}
		return nil
	})
}

// interactiveHomes are the home directories of accounts with a login shell: system
// accounts' homes (/usr/sbin, /bin, /nonexistent) hold binaries, not typed secrets.
func interactiveHomes(fsys fs.FS) []string {
	f, err := fsys.Open("etc/passwd")
	if err != nil {
		return nil
	}
	defer f.Close()
	data, _ := io.ReadAll(io.LimitReader(f, 4<<20))
	var homes []string
	for _, line := range bytes.Split(data, []byte("\n")) {
		fields := strings.Split(string(line), ":")
		if len(fields) < 7 {
			continue
		}
		home, shell := fields[5], path.Base(fields[6])
		if strings.HasPrefix(home, "/") && shell != "nologin" && shell != "false" && shell != "sync" &&
			shell != "halt" && shell != "shutdown" {
			homes = append(homes, home)
		}
	}
	return homes
}

// ContentScan is the content scan of one filesystem as sanitize-verify runs it, for callers
// outside the post-processor (cmd/imagebench measures it).
func ContentScan(fsys fs.FS) ([]cleanup.Finding, error) { return contentScan(fsys, nil) }
