package imagetest

import (
	"archive/tar"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// VMDK converts a raw image with qemu-img; subformat is "monolithicSparse",
// "streamOptimized", ...
func VMDK(t testing.TB, raw, out, subformat string) {
	t.Helper()
	Need(t, "qemu-img")
	Run(t, "qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat="+subformat, raw, out)
}

// OVA writes an OVA as VirtualBox and VMware export one: a tar holding the OVF descriptor
// first, then the disks it references (an ISO too, which is no disk of the VM), then a
// manifest.
func OVA(t testing.TB, out string, disks ...string) {
	t.Helper()
	refs, sections := "", ""
	for i, d := range disks {
		refs += fmt.Sprintf(`    <File ovf:id="file%d" ovf:href="%s"/>`+"\n", i+1, filepath.Base(d))
		sections += fmt.Sprintf(`    <Disk ovf:diskId="vmdisk%d" ovf:capacity="1" ovf:fileRef="file%d" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>`+"\n", i+1, i+1)
	}
	ovf := `<?xml version="1.0" encoding="UTF-8"?>
<Envelope ovf:version="1.0" xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <References>
` + refs + `    <File ovf:id="iso" ovf:href="tools.iso"/>
  </References>
  <DiskSection>
    <Info>Virtual disks</Info>
` + sections + `  </DiskSection>
  <VirtualSystem ovf:id="golden"><Info>A golden image</Info></VirtualSystem>
</Envelope>
`
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	add := func(name string, data []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Format: tar.FormatUSTAR}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	add("golden.ovf", []byte(ovf))
	for _, d := range disks {
		b, err := os.ReadFile(d)
		if err != nil {
			t.Fatal(err)
		}
		add(filepath.Base(d), b)
	}
	add("tools.iso", make([]byte, 64<<10))
	add("golden.mf", []byte("SHA256(golden.ovf)= 0\n"))
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}
