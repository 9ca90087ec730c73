package postprocessor

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
	"github.com/goldenimage/packer-plugin-sanitize/image"
	"github.com/goldenimage/packer-plugin-sanitize/image/vmdk"
)

// Status values of sources and volumes in the report.
const (
	statusVerified    = "verified"
	statusNotVerified = "not verified"
	statusSkipped     = "skipped"
)

// verifier runs the checks on every volume of every source.
type verifier struct {
	checks        []cleanup.Check
	contentScan   bool
	deepScan      bool
	keepPasswords []string
	packerKey     string
	say           func(string) // progress lines
	// extentOf maps the extent files of the VMDK descriptors among the sources to their
	// descriptor: they are read through it, not as disks of their own.
	extentOf map[string]string
}

// verifySource opens one image file and checks each of its volumes. explicit sources
// (from `images`) must be images; an artifact's file that plainly is none is skipped.
func (v *verifier) verifySource(path string, explicit bool, rep *Report) {
	src := SourceResult{Path: path}
	defer func() { rep.Sources = append(rep.Sources, src) }()
	if desc := v.extentOf[absPath(path)]; desc != "" {
		src.Status, src.Reason = statusSkipped, "extent of "+desc+": verified through it"
		v.say(fmt.Sprintf("%s: skipped (%s)", path, src.Reason))
		return
	}
	if !explicit {
		if why := notAnImage(path); why != "" {
			src.Status, src.Reason = statusSkipped, why
			v.say(fmt.Sprintf("%s: skipped (%s)", path, why))
			return
		}
	}
	im, err := image.Open(path)
	if err != nil {
		src.Status, src.Reason = statusNotVerified, err.Error()
		rep.NotVerified = append(rep.NotVerified, NotVerified{Source: path, Error: err.Error()})
		v.say(fmt.Sprintf("%s: NOT VERIFIED: %v", path, err))
		return
	}
	defer im.Close()
	src.Format, src.PartitionTable, src.Status = im.Format, im.Table, statusVerified
	v.say(fmt.Sprintf("%s: %s, partition table: %s, %d volume(s)", path, im.Format, im.Table, len(im.Volumes)))
	roles, first := v.mountRoles(im.Volumes), len(rep.Findings)
	for i, vol := range im.Volumes {
		vr := v.verifyVolume(vol, roles[i], rep)
		if vr.Status == statusNotVerified {
			src.Status = statusNotVerified
		}
		src.Volumes = append(src.Volumes, vr)
	}
	rep.Findings = append(rep.Findings[:first], countByVolume(src.Volumes, rep.Findings[first:])...)
}

func (v *verifier) verifyVolume(vol image.Volume, role volumeRole, rep *Report) VolumeResult {
	vr := VolumeResult{Source: vol.Source, Filesystem: vol.Filesystem}
	switch {
	case vol.Skipped != "":
		vr.Status, vr.Reason = statusSkipped, vol.Skipped
		v.say(fmt.Sprintf("  %s: skipped: %s", vol.Source, vol.Skipped))
		if vol.Raw != nil { // swap: no files, but paged-out memory
			vr.Findings = v.deepScanUnreadable(vol, rep)
		}
		return vr
	case vol.Err != nil:
		vr.Status, vr.Reason = statusNotVerified, vol.Err.Error()
		rep.NotVerified = append(rep.NotVerified, NotVerified{Source: vol.Source, Error: vol.Err.Error()})
		v.say(fmt.Sprintf("  %s: NOT VERIFIED: %v", vol.Source, vol.Err))
		v.deepScanUnreadable(vol, rep)
		return vr
	}
	// The catalogue's checks know a root filesystem's layout (/etc/passwd, homes, /etc/ssh):
	// they run over the root merged with the volumes its /etc/fstab mounts. Another volume
	// (an EFI System Partition, a /boot that fstab does not name) has no known layout: the
	// content scan reads all of it instead.
	checks, scope, checked := checksFor(v.checks, cleanup.Linux), "", vol.FS
	switch {
	case role.tree != nil:
		checked, scope = role.tree.FS, role.treeScope
	case role.mountedAt != "":
		// its files were checked at their paths in the root's merged tree
		checks, scope = nil, role.treeScope
	case isWindowsSystemDrive(vol.FS):
		// the Windows checks know a system drive's layout (Users, ProgramData, Windows)
		checks = checksFor(v.checks, cleanup.Windows)
		scope = fmt.Sprintf("Windows system drive: %d Windows checks", len(checks))
	case !isRootFS(vol.FS):
		checks, scope = nil, "not a root filesystem (no /etc): content scan of every file"
		if !v.contentScan {
			vr.Status, vr.Reason = statusSkipped, "not a root filesystem (no /etc) and content_scan is off: nothing to check"
			v.say(fmt.Sprintf("  %s: %s: skipped: %s", vol.Source, vol.Filesystem, vr.Reason))
			return vr
		}
	}
	target := &cleanup.Target{FS: checked, KeepPasswords: v.keepPasswords, PackerPublicKey: v.packerKey}
	res := cleanup.RunChecks(target, checks)
	found := res.Findings
	res.NotVerified = append(res.NotVerified, role.notVerified()...)
	for _, nv := range res.NotVerified {
		rep.NotVerified = append(rep.NotVerified, NotVerified{Source: vol.Source, Check: nv.Check, Error: nv.Error})
	}
	if v.contentScan {
		flagged := map[string]bool{}
		for _, f := range found {
			flagged[f.Path] = true
		}
		more, err := contentScan(vol.FS, flagged)
		found = append(found, role.atMountPoint(more)...)
		if err != nil {
			res.NotVerified = append(res.NotVerified, cleanup.NotVerified{Check: contentScanCheck, Error: err.Error()})
			rep.NotVerified = append(rep.NotVerified, NotVerified{Source: vol.Source, Check: contentScanCheck, Error: err.Error()})
		}
	}
	if v.deepScan {
		more, err := deepScanVolume(vol, v.say)
		found = append(found, more...)
		if err != nil {
			res.NotVerified = append(res.NotVerified, cleanup.NotVerified{Check: deepScanCheck, Error: err.Error()})
			rep.NotVerified = append(rep.NotVerified, NotVerified{Source: vol.Source, Check: deepScanCheck, Error: err.Error()})
		}
	}
	for _, f := range found {
		rep.Findings = append(rep.Findings, Finding{Check: f.Check, Severity: f.Severity, Path: f.Path, Source: role.source(vol, f), Message: f.Message})
	}
	vr.Status, vr.Reason, vr.Findings = statusVerified, scope, len(found)
	if len(res.NotVerified) > 0 {
		vr.Status, vr.Reason = statusNotVerified, fmt.Sprintf("%d check(s) could not look everywhere", len(res.NotVerified))
	}
	what := fmt.Sprintf("%d checks", len(checks))
	if scope != "" {
		what = scope
	}
	v.say(fmt.Sprintf("  %s: %s: %s, %d findings, %d not verified", vol.Source, vol.Filesystem, what, len(found), len(res.NotVerified)))
	return vr
}

// minImageSize is below the smallest ext2 filesystem (64 KiB): nothing smaller is a disk.
const minImageSize = 64 << 10

// notAnImage says why an artifact file plainly is no disk image (a .vmx, an .ovf, a
// checksum file, a log), or "" when it may be one and must be opened.
func notAnImage(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "" // image.Open reports it
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	if bytes.HasPrefix(head[:n], []byte(vmdk.DescriptorMagic)) {
		return "" // a split or flat VMDK's descriptor: small text naming the extent files
	}
	text := head[:n]
	if n == len(head) {
		text = text[:n-utf8.UTFMax] // a character cut at the end is not binary
	}
	if fi.Size() < minImageSize {
		return fmt.Sprintf("%d bytes: too small to hold a filesystem", fi.Size())
	}
	if fi.Size() < 1<<20 && utf8.Valid(text) && !bytes.ContainsRune(text, 0) {
		return "a text file, not a disk image"
	}
	return ""
}

// extentFiles maps the extent files of the VMDK descriptors among sources to their
// descriptor.
func extentFiles(sources []string) map[string]string {
	out := map[string]string{}
	for _, src := range sources {
		for _, e := range image.VMDKExtents(src) {
			out[absPath(e)] = src
		}
	}
	return out
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
