package image

import (
	"archive/tar"
	"bytes"
	"strings"
	"testing"
)

func TestOVFDisks(t *testing.T) {
	ovf := `<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <References><File ovf:id="f1" ovf:href="a-disk1.vmdk"/><File ovf:id="iso" ovf:href="tools.iso"/><File ovf:id="f2" ovf:href="a-disk2.vmdk"/></References>
  <DiskSection><Disk ovf:diskId="d1" ovf:fileRef="f1"/><Disk ovf:diskId="blank"/><Disk ovf:diskId="d2" ovf:fileRef="f2"/></DiskSection>
</Envelope>`
	got, err := ovfDisks([]byte(ovf))
	if err != nil || strings.Join(got, " ") != "a-disk1.vmdk a-disk2.vmdk" {
		t.Fatalf("ovfDisks = %q, %v", got, err)
	}
	for name, bad := range map[string]string{
		"no descriptor":    "",
		"not XML":          "<Envelope",
		"no disk":          `<Envelope><References><File id="x" href="x.iso"/></References></Envelope>`,
		"dangling fileRef": `<Envelope><DiskSection><Disk fileRef="nope"/></DiskSection></Envelope>`,
	} {
		var b []byte
		if bad != "" {
			b = []byte(bad)
		}
		if _, err := ovfDisks(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestTarMembersOffsets(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	long := strings.Repeat("long-name/", 20) + "disk.vmdk" // a PAX header before the data
	for name, data := range map[string]string{"a.ovf": "<x/>", long: "KDMV data"} {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data))})
		tw.Write([]byte(data))
	}
	tw.Close()
	r := bytes.NewReader(buf.Bytes())
	members, err := tarMembers(r, int64(buf.Len()))
	if err != nil || len(members) != 2 {
		t.Fatalf("members %+v, %v", members, err)
	}
	for _, m := range members {
		got := buf.Bytes()[m.offset : m.offset+m.size]
		if want := map[string]string{"a.ovf": "<x/>", long: "KDMV data"}[m.name]; string(got) != want {
			t.Errorf("%s: data %q at offset %d, want %q", m.name, got, m.offset, want)
		}
	}
	// cut inside the last member's data: its size passes the end
	last := members[len(members)-1]
	cut := buf.Bytes()[:last.offset+last.size-2]
	if _, err := tarMembers(bytes.NewReader(cut), int64(len(cut))); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("a truncated tar: %v, want an error saying truncated", err)
	}
}
