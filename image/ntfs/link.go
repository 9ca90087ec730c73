package ntfs

import (
	"bytes"
	"fmt"
	"strings"
)

// interixMagic starts the content of an Interix symlink, which ntfs-3g writes for POSIX
// symlinks: a system file holding the UTF-16 target.
const interixMagic = "IntxLNK\x01"

// readLink fills in the link target of a symlink, a junction or an Interix symlink.
func (f *FS) readLink(n *node) error {
	if rp := n.extents(attrReparsePoint, ""); len(rp) > 0 {
		data, err := f.content(rp, maxReparseData, "$REPARSE_POINT")
		if err != nil {
			return err
		}
		if len(data) < 8 {
			return fmt.Errorf("%w: a %d-byte reparse point", ErrCorrupt, len(data))
		}
		n.reparse = le.Uint32(data)
		body := data[8:]
		if dl := int(le.Uint16(data[4:])); dl < len(body) {
			body = body[:dl]
		}
		switch n.reparse {
		case tagSymlink:
			return linkTarget(n, body, 12, len(body) >= 12 && le.Uint32(body[8:])&1 != 0)
		case tagMountPoint:
			return linkTarget(n, body, 8, false)
		}
		return nil
	}
	if n.dir || n.fileAttrs&fileSystem == 0 || n.size < int64(len(interixMagic))+2 || n.size > 64<<10 {
		return nil
	}
	data := n.extents(attrData, "")
	if len(data) == 0 || data[0].flags&(flagCompressed|flagEncrypted) != 0 {
		return nil
	}
	b, err := f.content(data, 64<<10, "$DATA")
	if err != nil {
		return err
	}
	if bytes.HasPrefix(b, []byte(interixMagic)) {
		n.interix, n.target = true, utf16String(b[len(interixMagic):])
		n.absolute = strings.HasPrefix(n.target, "/")
	}
	return nil
}

// linkTarget reads the names of a symlink or junction buffer whose path buffer starts at
// pathOff: the print name (what dir shows), else the substitute name without its "\??\".
func linkTarget(n *node, b []byte, pathOff int, relative bool) error {
	if len(b) < pathOff {
		return fmt.Errorf("%w: a %d-byte link reparse buffer", ErrCorrupt, len(b))
	}
	name := func(off, length int) (string, error) {
		start, end := pathOff+off, pathOff+off+length
		if length%2 != 0 || end > len(b) {
			return "", fmt.Errorf("%w: link name at %d+%d past the %d-byte buffer", ErrCorrupt, off, length, len(b))
		}
		return utf16String(b[start:end]), nil
	}
	sub, err := name(int(le.Uint16(b[0:])), int(le.Uint16(b[2:])))
	if err != nil {
		return err
	}
	print, err := name(int(le.Uint16(b[4:])), int(le.Uint16(b[6:])))
	if err != nil {
		return err
	}
	target := print
	if target == "" {
		target = strings.TrimPrefix(sub, `\??\`)
	}
	if target == "" {
		return fmt.Errorf("%w: a link with no target", ErrCorrupt)
	}
	n.absolute = !relative
	if relative {
		target = strings.ReplaceAll(target, `\`, "/")
	}
	n.target = target
	return nil
}
