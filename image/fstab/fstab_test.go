package fstab

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	const text = `# /etc/fstab: static file system information.
# <file system> <mount point> <type> <options> <dump> <pass>
UUID=0a3c2f4e-8d1b-4c5e-9f60-1a2b3c4d5e6f /               ext4    errors=remount-ro 0       1
UUID=7E1D-2B9A  /boot/efi       vfat    umask=0077      0       1
LABEL=home\040data /home xfs defaults 0 2
PARTUUID=5d2c1e0f-02 /var ext4 defaults,nofail 0 2
PARTLABEL="srv" /srv auto
/dev/mapper/rhel-root /    xfs defaults 0 0
/dev/mapper/my--vg-var--log /var/log xfs defaults 0 0
/dev/rhel/opt /opt ext4 defaults 0 0
/dev/disk/by-uuid/1234-ABCD /boot vfat defaults 0 0
/dev/disk/by-label/my\x20data /data ext4 defaults 0 0
/dev/vda3 /tmp2 ext4 defaults 0 0
/dev/nvme0n1p12 /scratch ext4 defaults 0 0
/dev/mapper/rhel-swap none swap defaults 0 0
/swapfile swap swap sw 0 0
tmpfs /tmp tmpfs defaults,size=1G 0 0
proc /proc proc defaults 0 0
server:/export /mnt/nfs nfs4 defaults 0 0
/srv/www /var/www none bind 0 0
/dev/sr0 /media/cdrom0 udf,iso9660 user,noauto 0 0
//fileserver/share /mnt/smb cifs credentials=/root/.smb 0 0
`
	entries, errs := Parse([]byte(text))
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.MountPoint+" "+e.Source.String())
	}
	want := []string{
		"/boot/efi uuid 7E1D-2B9A",
		"/home label home data",
		"/var partuuid 5d2c1e0f-02",
		"/srv partlabel srv",
		"/var/log lv my-vg/var-log",
		"/opt lv rhel/opt",
		"/boot uuid 1234-ABCD",
		"/data label my data",
		"/tmp2 partition 3",
		"/scratch partition 12",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if entries[0].Line != 4 || entries[0].Type != "vfat" {
		t.Errorf("first entry %+v", entries[0])
	}
}

// TestParseRefuses: a line naming what cannot be matched is an error naming its line,
// never a silently unchecked mount.
func TestParseRefuses(t *testing.T) {
	cases := []struct{ line, want string }{
		{"/dev/md0 /data ext4 defaults 0 0", "names no volume"},
		{"/dev/sdb1 /data ext4 defaults 0 0", "names no volume"},
		{"UUID=abc relative ext4", "not a clean absolute path"},
		{"UUID=abc /home/../etc ext4", "not a clean absolute path"},
		{"UUID=abc", "no mount point"},
		{"/dev/mapper/novolume /data ext4", "not a device-mapper name"},
		{"/dev/disk/by-id/ata-XYZ /data ext4", "unknown /dev/disk link"},
	}
	for _, tc := range cases {
		entries, errs := Parse([]byte("# x\n" + tc.line + "\n"))
		if len(entries) != 0 || len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) || !strings.Contains(errs[0].Error(), "line 2") {
			t.Errorf("%q: entries %+v, errors %v; want one error saying %q", tc.line, entries, errs, tc.want)
		}
	}
	if _, errs := Parse(make([]byte, MaxSize+1)); len(errs) != 1 {
		t.Errorf("an oversized fstab: %v", errs)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("LABEL=a\\040b /home ext4 defaults 0 2\n/dev/mapper/a--b-c /x xfs\n/dev/disk/by-label/x\\x2 /y auto\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, _ := Parse(data)
		for _, e := range entries {
			if !strings.HasPrefix(e.MountPoint, "/") || e.MountPoint == "/" || e.Source.Kind == "" {
				t.Fatalf("entry %+v", e)
			}
		}
	})
}
