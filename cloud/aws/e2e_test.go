package aws_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"maps"
	"slices"
	"testing"

	cloudaws "github.com/goldenimage/packer-plugin-sanitize/cloud/aws"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ami"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/awsfake"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ebsread"
)

// The whole flow the post-processor runs, with the real SDK clients against the fakes:
// artifact id -> caller check -> inspect -> read every snapshot -> approve or quarantine.
func TestArtifactFlow(t *testing.T) {
	envCredentials(t, "AKIAFLOWTEST00000001")
	disk := awsfake.BuildDisk(t, map[string]string{
		"etc/hostname": "golden\n",
		"etc/shadow":   "root:*:20000:0:99999:7:::\n",
		"var/log/":     "",
	}, 1<<30)
	f := startFakes(t, "arn:aws:iam::111111111111:role/packer-build")
	const root, data = "snap-0aaaaaaaaaaaaaaa1", "snap-0bbbbbbbbbbbbbbb2"
	if err := f.ebs.AddSnapshotFile(root, disk.Path); err != nil {
		t.Fatal(err)
	}
	f.ebs.AddBlocks(data, 2, map[int32][]byte{3: []byte("data volume")})
	f.ec2.AddImage(awsfake.Image{ID: "ami-0abc1234def567890", Name: "golden", OwnerID: "111111111111",
		Devices: []awsfake.Device{
			{Name: "/dev/xvda", SnapshotID: root, SizeGiB: 1, Encrypted: true},
			{Name: "/dev/xvdb", SnapshotID: data, SizeGiB: 2, Encrypted: true},
		}})
	f.ec2.AddSnapshot(awsfake.Snapshot{ID: data, CreateVolumePermissions: []awsfake.Permission{{UserID: "999999999999"}}})

	ctx := context.Background()
	refs, err := ami.ParseArtifactID("us-east-1:ami-0abc1234def567890")
	if err != nil {
		t.Fatal(err)
	}
	sess := cloudaws.NewSession(cloudaws.Settings{Endpoints: f.ep})
	c, err := sess.Clients(ctx, refs[0].Region)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CheckCaller(ctx, false); err != nil {
		t.Fatal(err)
	}
	rep, err := c.Inspect(ctx, refs[0], ami.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Check != ami.CheckSnapshotShared || rep.Findings[0].Resource != "us-east-1:"+data {
		t.Errorf("findings %v: want the data snapshot shared with a stranger", rep.Findings)
	}

	// Every snapshot is read, not only the root one.
	for _, s := range rep.Snapshots {
		snap, err := c.OpenSnapshot(ctx, s.SnapshotID, ebsread.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if snap.Size() != int64(s.SizeGiB)<<30 {
			t.Errorf("%s: size %d for a %d GiB volume", s.SnapshotID, snap.Size(), s.SizeGiB)
		}
		switch s.SnapshotID {
		case root:
			checkDiskLayout(t, snap, disk)
		case data:
			b := make([]byte, 11)
			snap.ReadAt(b, 3*awsfake.BlockSize)
			if string(b) != "data volume" {
				t.Errorf("data volume reads %q", b)
			}
		}
		snap.Close()
	}
	if keys := f.ebs.AccessKeys(); !slices.Equal(keys, []string{"AKIAFLOWTEST00000001"}) {
		t.Errorf("EBS saw keys %v", keys)
	}

	// The gate, both ways.
	approve := map[string]string{"status": "approved"}
	if err := c.Approve(ctx, rep, approve, "sha256:00ff"); err != nil {
		t.Fatal(err)
	}
	if tags := f.ec2.SnapshotTags(data); tags["status"] != "approved" || tags[ami.VerifiedTag] == "" {
		t.Errorf("data snapshot tags after Approve: %v", tags)
	}
	if err := c.Quarantine(ctx, rep, map[string]string{"quarantine": "residue"}, slices.Collect(maps.Keys(approve))); err != nil {
		t.Fatal(err)
	}
	if tags := f.ec2.ImageTags(rep.Ref.ImageID); tags["status"] != "" || tags[ami.VerifiedTag] != "" || tags["quarantine"] != "residue" {
		t.Errorf("image tags after Quarantine: %v", tags)
	}

	// Clients of one region refuse an image of another.
	other := *rep
	other.Ref.Region = "eu-west-1"
	if err := c.Approve(ctx, &other, approve, "sha256:00ff"); err == nil {
		t.Error("approved an image of another region")
	}
}

// checkDiskLayout reads the GPT and the ext4 superblock through the snapshot, as the
// partition and filesystem readers will.
func checkDiskLayout(t *testing.T, r io.ReaderAt, disk awsfake.Disk) {
	t.Helper()
	hdr := make([]byte, 92)
	if _, err := r.ReadAt(hdr, 512); err != nil || string(hdr[:8]) != "EFI PART" {
		t.Fatalf("no GPT header at LBA 1: %q %v", hdr[:8], err)
	}
	entry := make([]byte, 128)
	r.ReadAt(entry, int64(binary.LittleEndian.Uint64(hdr[72:]))*512)
	if first := int64(binary.LittleEndian.Uint64(entry[32:])) * 512; first != disk.PartitionStart {
		t.Errorf("partition 1 starts at %d, want %d", first, disk.PartitionStart)
	}
	sb := make([]byte, 1024)
	if _, err := r.ReadAt(sb, disk.PartitionStart+1024); err != nil {
		t.Fatal(err)
	}
	if magic := binary.LittleEndian.Uint16(sb[56:]); magic != 0xEF53 {
		t.Errorf("ext4 magic %#x", magic)
	}
	if label := string(bytes.TrimRight(sb[120:136], "\x00")); label != "root" {
		t.Errorf("volume label %q", label)
	}
}
