package image

import (
	"archive/tar"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// maxOVFSize bounds the OVF descriptor read into memory.
const maxOVFSize = 4 << 20

// openOVA opens the disks of an OVA: a tar holding an OVF descriptor, which names the
// disks among its files (an ISO it references is no disk of the VM), and those files.
// Each disk's volumes are named "PATH disk MEMBER partition N (...)".
func (im *Image) openOVA(f io.ReaderAt, size int64) error {
	members, err := tarMembers(f, size)
	if err != nil {
		return fmt.Errorf("%s: OVA: %w", im.Path, err)
	}
	var ovf []byte
	for _, m := range members {
		if strings.HasSuffix(strings.ToLower(m.name), ".ovf") {
			if m.size > maxOVFSize {
				return fmt.Errorf("%s: OVA: the OVF descriptor %s is %d bytes", im.Path, m.name, m.size)
			}
			ovf = make([]byte, m.size)
			if _, err := f.ReadAt(ovf, m.offset); err != nil {
				return fmt.Errorf("%s: OVA: %s: %w", im.Path, m.name, err)
			}
			break
		}
	}
	disks, err := ovfDisks(ovf)
	if err != nil {
		return fmt.Errorf("%s: OVA: %w", im.Path, err)
	}
	var formats, tables []string
	for _, href := range disks {
		m, ok := findMember(members, href)
		if !ok {
			return fmt.Errorf("%s: OVA: the disk %s named by the OVF descriptor is not in the archive", im.Path, href)
		}
		r := io.NewSectionReader(f, m.offset, m.size)
		format, err := detectFormat(r, m.size)
		if err == nil && (format == formatOVA || format == formatTar || format == formatTarGz) {
			err = fmt.Errorf("a %s archive is no disk", format)
		}
		var dev *device
		if err == nil {
			dev, err = openDevice(r, m.size, format)
		}
		if err != nil {
			return fmt.Errorf("%s: OVA disk %s: %w", im.Path, m.name, err)
		}
		if dev.closer != nil {
			im.closers = append(im.closers, dev.closer)
		}
		name := im.Path + " disk " + m.name
		table, vols, err := findVolumes(dev, name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		formats, tables = append(formats, dev.format), append(tables, table)
		im.Volumes = append(im.Volumes, vols...)
	}
	im.Format = "ova: " + strings.Join(formats, ", ")
	im.Table = strings.Join(tables, ", ")
	return nil
}

// ovfDisks returns the file names of the VM's disks: the References whose id a Disk of
// the DiskSection names.
func ovfDisks(ovf []byte) ([]string, error) {
	if ovf == nil {
		return nil, errors.New("no OVF descriptor in the archive")
	}
	var env struct {
		Files []struct {
			ID   string `xml:"id,attr"`
			Href string `xml:"href,attr"`
		} `xml:"References>File"`
		Disks []struct {
			FileRef string `xml:"fileRef,attr"`
		} `xml:"DiskSection>Disk"`
	}
	if err := xml.Unmarshal(ovf, &env); err != nil {
		return nil, fmt.Errorf("the OVF descriptor: %w", err)
	}
	var out []string
	for _, d := range env.Disks {
		if d.FileRef == "" {
			continue // a blank disk the VM creates: no file to read
		}
		found := false
		for _, f := range env.Files {
			if f.ID == d.FileRef {
				out, found = append(out, f.Href), true
			}
		}
		if !found {
			return nil, fmt.Errorf("the OVF descriptor's disk names file %q, which its References do not list", d.FileRef)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the OVF descriptor lists no disk with a file")
	}
	return out, nil
}

// member is a regular file stored in a tar archive, located by its data's offset.
type member struct {
	name         string
	offset, size int64
}

func findMember(members []member, href string) (member, bool) {
	for _, m := range members {
		if path.Clean(m.name) == path.Clean(href) {
			return m, true
		}
	}
	return member{}, false
}

// tarMembers lists an uncompressed tar's regular files with their data's offsets, so a
// disk inside is read in place. Sparse members, whose data is not stored as is, are
// refused.
func tarMembers(f io.ReaderAt, size int64) ([]member, error) {
	pr := &posReader{r: io.NewSectionReader(f, 0, size)}
	tr := tar.NewReader(pr)
	var out []member
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch {
		case h.Typeflag == tar.TypeGNUSparse || h.PAXRecords["GNU.sparse.map"] != "" || h.PAXRecords["GNU.sparse.major"] != "":
			return nil, fmt.Errorf("%s is a sparse tar member: not supported", h.Name)
		case h.Typeflag != tar.TypeReg:
			continue
		case h.Size < 0 || pr.pos+h.Size > size:
			return nil, fmt.Errorf("%s: %d bytes at offset %d pass the end of the %d-byte archive (truncated?)", h.Name, h.Size, pr.pos, size)
		}
		out = append(out, member{name: h.Name, offset: pr.pos, size: h.Size})
		if len(out) > 10000 {
			return nil, errors.New("more than 10000 members")
		}
	}
}

// posReader tracks the offset archive/tar has reached: right after Next, it is where the
// member's data starts.
type posReader struct {
	r   *io.SectionReader
	pos int64
}

func (p *posReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.pos += int64(n)
	return n, err
}

func (p *posReader) Seek(off int64, whence int) (int64, error) {
	pos, err := p.r.Seek(off, whence)
	if err == nil {
		p.pos = pos
	}
	return pos, err
}
