package postprocessor

import (
	"io/fs"
	"path"
	"slices"
	"strings"
)

// isWindowsSystemDrive tells a Windows system drive by its Windows\System32 (names
// matched without regard to case, as Windows does).
func isWindowsSystemDrive(fsys fs.FS) bool {
	win := findFold(fsys, ".", "Windows")
	if win == "" {
		return false
	}
	return findFold(fsys, win, "System32") != ""
}

// findFold returns the path of dir's subdirectory named name in any case, or "".
func findFold(fsys fs.FS, dir, name string) string {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if e.IsDir() && strings.EqualFold(e.Name(), name) {
			return path.Join(dir, e.Name())
		}
	}
	return ""
}

// windowsSkipped are the top-level directories of a system drive the content scan leaves
// out: the OS and installed programs, which hold no build's secret but would exhaust the
// scan's budget. The Windows directories where builds leave files are scanned.
var windowsSkipped = []string{"Windows", "Program Files", "Program Files (x86)", "System Volume Information"}

// windowsScanDirs are the directories under Windows where a build leaves files: its temp
// directory, Setup's answer files and scripts, Sysprep's, and the system and service
// accounts' profiles.
var windowsScanDirs = []string{"Temp", "Panther", "Setup", "System32/Sysprep", "System32/config/systemprofile", "ServiceProfiles"}

// windowsScanRoots are where the content scan looks on a Windows system drive: every
// top-level entry but windowsSkipped (Users, ProgramData, inetpub, a C:\packer or
// C:\scripts a build left, files at the root; not the junctions), and windowsScanDirs.
func windowsScanRoots(fsys fs.FS) []string {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return []string{"."} // the walk reports the error
	}
	var roots []string
	for _, e := range entries {
		// a junction ("Documents and Settings") is scanned where it leads, never through
		if e.Type()&fs.ModeSymlink == 0 && !slices.ContainsFunc(windowsSkipped, func(s string) bool { return strings.EqualFold(s, e.Name()) }) {
			roots = append(roots, e.Name())
		}
	}
	win := findFold(fsys, ".", "Windows")
	for _, d := range windowsScanDirs {
		p := win
		for _, elem := range strings.Split(d, "/") {
			if p = findFold(fsys, p, elem); p == "" {
				break
			}
		}
		if p != "" {
			roots = append(roots, p)
		}
	}
	return roots
}
