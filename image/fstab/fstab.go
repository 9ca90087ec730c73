// Package fstab parses /etc/fstab as mount(8) reads it, to tell which volumes of an image
// a root filesystem mounts where. It only reads text: matching a source to a volume is
// the caller's business.
package fstab

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// MaxSize bounds the file read: a real fstab is a few hundred bytes.
const MaxSize = 1 << 20

// Entry is one line that mounts a block device's filesystem.
type Entry struct {
	Line       int    // 1-based line number, for messages
	Spec       string // the first field, unescaped: "UUID=…", "/dev/mapper/vg-home"
	MountPoint string // absolute and clean: "/home"
	Type       string // "ext4", "xfs", "auto", ...
	Options    []string
	Source     Source // what Spec names
}

// Source is what an entry's first field names.
type Source struct {
	// Kind is "uuid", "label", "partuuid", "partlabel" (values as written), "lv"
	// (Value "vg/lv"), or "partition" (a kernel device name: Value the partition number
	// of the first disk, "1" for /dev/sda1, /dev/vda1, /dev/nvme0n1p1).
	Kind  string
	Value string
}

func (s Source) String() string { return s.Kind + " " + s.Value }

// notBlockDevices are filesystem types that do not live on a volume of the image.
var notBlockDevices = map[string]bool{
	"swap": true, "tmpfs": true, "ramfs": true, "proc": true, "sysfs": true, "devpts": true,
	"devtmpfs": true, "cgroup": true, "cgroup2": true, "securityfs": true, "debugfs": true,
	"tracefs": true, "mqueue": true, "hugetlbfs": true, "efivarfs": true, "pstore": true,
	"bpf": true, "configfs": true, "fusectl": true, "binfmt_misc": true, "autofs": true,
	"nfs": true, "nfs4": true, "cifs": true, "smbfs": true, "smb3": true, "sshfs": true,
	"9p": true, "virtiofs": true, "overlay": true, "none": true, "ceph": true,
	"glusterfs": true, "lustre": true, "davfs": true, "iso9660": true, "udf": true,
}

// Parse reads an fstab and returns the entries that mount a block device's filesystem;
// comments, blank lines, swap, pseudo and network filesystems, bind mounts and the root
// (/) itself are left out. A line that cannot be understood is an error naming it: what
// it mounts would otherwise go unchecked.
func Parse(data []byte) ([]Entry, []error) {
	if len(data) > MaxSize {
		return nil, []error{fmt.Errorf("/etc/fstab is %d bytes, more than %d", len(data), MaxSize)}
	}
	var entries []Entry
	var errs []error
	for i, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		e, skip, err := parseLine(fields)
		if err != nil {
			errs = append(errs, fmt.Errorf("/etc/fstab line %d: %w", i+1, err))
			continue
		}
		if !skip {
			e.Line = i + 1
			entries = append(entries, e)
		}
	}
	return entries, errs
}

func parseLine(fields []string) (e Entry, skip bool, err error) {
	if len(fields) < 2 {
		return e, false, fmt.Errorf("%q: no mount point", fields[0])
	}
	e.Spec, e.MountPoint, e.Type = unescape(fields[0]), unescape(fields[1]), "auto"
	if len(fields) > 2 {
		e.Type = fields[2]
	}
	if len(fields) > 3 {
		e.Options = strings.Split(fields[3], ",")
	}
	if notBlockDevice(e.Type) || e.MountPoint == "none" || e.MountPoint == "swap" ||
		hasOption(e.Options, "bind", "rbind", "_netdev") || removable(e.Spec) {
		return e, true, nil
	}
	if !strings.HasPrefix(e.MountPoint, "/") || path.Clean(e.MountPoint) != e.MountPoint ||
		strings.Contains(e.MountPoint, "/../") || strings.HasSuffix(e.MountPoint, "/..") {
		return e, false, fmt.Errorf("mount point %q is not a clean absolute path", e.MountPoint)
	}
	if e.MountPoint == "/" {
		return e, true, nil
	}
	if !strings.Contains(e.Spec, "/") && !strings.Contains(e.Spec, "=") {
		return e, true, nil // "tmpfs", "proc", "none" with a type left to auto
	}
	e.Source, err = parseSource(e.Spec)
	return e, false, err
}

// notBlockDevice tells a type list ("udf,iso9660") naming no filesystem of the image.
func notBlockDevice(types string) bool {
	for _, t := range strings.Split(types, ",") {
		if !notBlockDevices[t] && !strings.HasPrefix(t, "fuse") {
			return false
		}
	}
	return true
}

// removable tells the optical and floppy drives installers list: no volume of the image.
func removable(spec string) bool {
	for _, p := range []string{"/dev/sr", "/dev/cdrom", "/dev/dvd", "/dev/fd", "/dev/scd"} {
		if strings.HasPrefix(spec, p) {
			return true
		}
	}
	return false
}

func hasOption(opts []string, names ...string) bool {
	for _, o := range opts {
		for _, n := range names {
			if o == n {
				return true
			}
		}
	}
	return false
}

// parseSource tells what a spec names, as mount(8), udev and device-mapper name them.
func parseSource(spec string) (Source, error) {
	for _, tag := range []string{"UUID", "LABEL", "PARTUUID", "PARTLABEL"} {
		if v, ok := strings.CutPrefix(spec, tag+"="); ok {
			return Source{strings.ToLower(tag), strings.Trim(v, `"`)}, nil
		}
	}
	byKind := map[string]string{"by-uuid": "uuid", "by-label": "label", "by-partuuid": "partuuid", "by-partlabel": "partlabel"}
	if rest, ok := strings.CutPrefix(spec, "/dev/disk/"); ok {
		dir, v, _ := strings.Cut(rest, "/")
		if kind := byKind[dir]; kind != "" && v != "" {
			return Source{kind, udevUnescape(v)}, nil
		}
		return Source{}, fmt.Errorf("%q: an unknown /dev/disk link", spec)
	}
	if name, ok := strings.CutPrefix(spec, "/dev/mapper/"); ok {
		if lv, ok := mapperName(name); ok {
			return Source{"lv", lv}, nil
		}
		return Source{}, fmt.Errorf("%q: not a device-mapper name of a logical volume (vg-lv)", spec)
	}
	if rest, ok := strings.CutPrefix(spec, "/dev/"); ok {
		if vg, lv, ok := strings.Cut(rest, "/"); ok && vg != "" && lv != "" && !strings.Contains(lv, "/") {
			return Source{"lv", vg + "/" + lv}, nil
		}
		if n := firstDiskPartition(rest); n > 0 {
			return Source{"partition", strconv.Itoa(n)}, nil
		}
	}
	return Source{}, fmt.Errorf("%q names no volume that can be found offline (UUID=, LABEL=, PARTUUID=, PARTLABEL=, /dev/mapper/vg-lv, /dev/vg/lv, /dev/disk/by-*/ are)", spec)
}

// mapperName splits a device-mapper name: "vg-lv", with a dash inside either name doubled.
func mapperName(name string) (string, bool) {
	for i := 0; i < len(name); i++ {
		if name[i] != '-' {
			continue
		}
		if i+1 < len(name) && name[i+1] == '-' {
			i++
			continue
		}
		vg, lv := strings.ReplaceAll(name[:i], "--", "-"), strings.ReplaceAll(name[i+1:], "--", "-")
		return vg + "/" + lv, vg != "" && lv != ""
	}
	return "", false
}

// firstDiskPartition reads the partition number of a kernel name of the first disk
// (sda1, vda2, xvda1, hda1, nvme0n1p3, mmcblk0p1), or 0.
func firstDiskPartition(name string) int {
	for _, prefix := range []string{"sda", "vda", "xvda", "hda", "nvme0n1p", "mmcblk0p"} {
		if rest, ok := strings.CutPrefix(name, prefix); ok {
			if n, err := strconv.Atoi(rest); err == nil && n > 0 && n < 1000 && rest[0] != '0' {
				return n
			}
		}
	}
	return 0
}

// unescape undoes fstab's octal escapes (\040 for a space).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1:i+4]) {
			n, _ := strconv.ParseUint(s[i+1:i+4], 8, 8)
			b.WriteByte(byte(n))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(s string) bool {
	for _, c := range s {
		if c < '0' || c > '7' {
			return false
		}
	}
	return len(s) == 3 && s[0] <= '3'
}

// udevUnescape undoes udev's \x20 escapes in /dev/disk/by-label names.
func udevUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if n, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
